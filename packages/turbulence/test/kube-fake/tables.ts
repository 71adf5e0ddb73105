/**
 * Server-side printing: the `meta.k8s.io/v1 Table` kubectl asks for (`Accept: application/json;as=Table;...`)
 * when it prints human-readable output. Columns after kubectl's own for pods, nodes, workloads, namespaces and PVCs;
 * every other type gets NAME and AGE, as custom resources without printer columns do.
 */
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;
interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => string | number;
}

/** Age as kubectl prints it (`45s`, `3m12s`, `5h`, `2d`). */
export function age(created: string | undefined, now = Date.now()): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const ageCol: Column = { name: 'Age', type: 'string', cell: (o) => age(o.metadata.creationTimestamp) };
const spec = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;
const status = (o: KubeObject): Obj => (o.status ?? {}) as Obj;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown, dflt: string): string => (typeof v === 'string' ? v : dflt);

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return str(status(o).phase, 'Pending');
}

function nodeStatus(o: KubeObject): string {
  const conds = (status(o).conditions ?? []) as Obj[];
  const ready = conds.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
  return spec(o).unschedulable === true ? `${ready},SchedulingDisabled` : ready;
}

/** kubectl's short forms of PVC access modes. */
const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

const COLUMNS: Record<string, Column[]> = {
  '/pods': [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => {
        const cs = (status(o).containerStatuses ?? []) as Obj[];
        const total = ((spec(o).containers ?? []) as Obj[]).length;
        return `${cs.filter((c) => c.ready === true).length}/${total}`;
      },
    },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: () => '0' },
    ageCol,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => str(status(o).podIP, '<none>') },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => str(spec(o).nodeName, '<none>') },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
  ],
  '/nodes': [
    name,
    { name: 'Status', type: 'string', cell: nodeStatus },
    {
      name: 'Roles',
      type: 'string',
      cell: (o) =>
        Object.keys(o.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length))
          .join(',') || '<none>',
    },
    ageCol,
    { name: 'Version', type: 'string', cell: (o) => str(((status(o).nodeInfo ?? {}) as Obj).kubeletVersion, '') },
  ],
  'apps/deployments': [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(status(o).updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => num(status(o).availableReplicas) },
    ageCol,
  ],
  'apps/replicasets': [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => num(spec(o).replicas) },
    { name: 'Current', type: 'integer', cell: (o) => num(status(o).replicas) },
    { name: 'Ready', type: 'integer', cell: (o) => num(status(o).readyReplicas) },
    ageCol,
  ],
  'apps/statefulsets': [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    ageCol,
  ],
  'apps/daemonsets': [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => num(status(o).desiredNumberScheduled) },
    { name: 'Current', type: 'integer', cell: (o) => num(status(o).currentNumberScheduled) },
    { name: 'Ready', type: 'integer', cell: (o) => num(status(o).numberReady) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(status(o).updatedNumberScheduled) },
    { name: 'Available', type: 'integer', cell: (o) => num(status(o).numberAvailable) },
    ageCol,
  ],
  'policy/poddisruptionbudgets': [
    name,
    {
      name: 'Min Available',
      type: 'string',
      cell: (o) => String((spec(o).minAvailable as string | number | undefined) ?? 'N/A'),
    },
    {
      name: 'Max Unavailable',
      type: 'string',
      cell: (o) => String((spec(o).maxUnavailable as string | number | undefined) ?? 'N/A'),
    },
    { name: 'Allowed Disruptions', type: 'integer', cell: (o) => num(status(o).disruptionsAllowed) },
    ageCol,
  ],
  '/persistentvolumeclaims': [
    name,
    { name: 'Status', type: 'string', cell: (o) => str(status(o).phase, 'Pending') },
    { name: 'Volume', type: 'string', cell: (o) => str(spec(o).volumeName, '') },
    {
      name: 'Capacity',
      type: 'string',
      cell: (o) => str(((status(o).capacity ?? {}) as Obj).storage, ''),
    },
    {
      name: 'Access Modes',
      type: 'string',
      cell: (o) => ((status(o).accessModes ?? []) as string[]).map((m) => ACCESS_MODES[m] ?? m).join(','),
    },
    { name: 'StorageClass', type: 'string', cell: (o) => str(spec(o).storageClassName, '<unset>') },
    ageCol,
    { name: 'VolumeMode', type: 'string', priority: 1, cell: (o) => str(spec(o).volumeMode, '') },
  ],
  '/namespaces': [name, { name: 'Status', type: 'string', cell: (o) => str(status(o).phase, 'Active') }, ageCol],
};

/** `includeObject` of the request: what each row carries. */
export type IncludeObject = 'None' | 'Object' | 'PartialObjectMetadata';

/** A Table of `items` of type `def`. */
export function table(def: ResourceDef, items: KubeObject[], rv: string, include: IncludeObject, cont?: string): Obj {
  const cols = COLUMNS[`${def.group}/${def.plural}`] ?? [name, ageCol];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      ...(include === 'None'
        ? {}
        : {
            object:
              include === 'Object'
                ? o
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
          }),
    })),
  };
}

/** True when the Accept header asks for a Table. */
export const wantsTable = (accept: string | undefined): boolean => /as=Table/.test(accept ?? '');
