/**
 * What the API server does per kind on create/update: defaulting, validation and the resets a status
 * subresource implies. Only the fields the fake's users and kubectl look at.
 */
import { invalid } from './errors.js';
import type { ResourceDef } from './resources.js';
import { matchesSelector, type LabelSelector } from './selectors.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** Pod spec defaults, as the API server fills them (also used for workload templates). */
export function defaultPodSpec(spec: Obj): Obj {
  const containers = Array.isArray(spec.containers) ? (spec.containers as Obj[]) : [];
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: {},
    enableServiceLinks: true,
    ...spec,
    containers: containers.map((c) => ({
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy:
        typeof c.image === 'string' && /:[^/]+$/.test(c.image) && !c.image.endsWith(':latest')
          ? 'IfNotPresent'
          : 'Always',
      resources: {},
      ...c,
    })),
  };
}

function defaultTemplate(spec: Obj): void {
  const t = obj(spec.template);
  spec.template = { ...t, metadata: obj(t.metadata), spec: defaultPodSpec(obj(t.spec)) };
}

const DEFAULTS: Record<string, (o: KubeObject, isCreate: boolean) => void> = {
  '/pods': (o, isCreate) => {
    const spec = defaultPodSpec(obj(o.spec));
    spec.serviceAccountName ??= 'default';
    spec.serviceAccount ??= spec.serviceAccountName;
    spec.priority ??= 0;
    spec.tolerations ??= [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ];
    o.spec = spec;
    if (isCreate) o.status = { phase: 'Pending', qosClass: 'BestEffort' };
  },
  '/namespaces': (o, isCreate) => {
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
    o.spec = { finalizers: ['kubernetes'], ...obj(o.spec) };
    if (isCreate) o.status = { phase: 'Active' };
  },
  '/persistentvolumeclaims': (o, isCreate) => {
    o.spec = { volumeMode: 'Filesystem', ...obj(o.spec) };
    if (isCreate) o.status = { phase: 'Pending' };
  },
  'apps/deployments': (o) => {
    const spec = obj(o.spec);
    o.spec = {
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      ...spec,
    };
    defaultTemplate(o.spec as Obj);
  },
  'apps/replicasets': (o) => {
    o.spec = { replicas: 1, ...obj(o.spec) };
    defaultTemplate(o.spec as Obj);
  },
  'apps/statefulsets': (o) => {
    o.spec = { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, ...obj(o.spec) };
    defaultTemplate(o.spec as Obj);
  },
  'apps/daemonsets': (o) => {
    o.spec = { revisionHistoryLimit: 10, ...obj(o.spec) };
    defaultTemplate(o.spec as Obj);
  },
};

/** Applies the API server's defaults for this kind (in place, on a fresh object). */
export function applyDefaults(def: ResourceDef, o: KubeObject, isCreate: boolean): void {
  DEFAULTS[`${def.group}/${def.plural}`]?.(o, isCreate);
}

/** Validation errors of this object (a 422), or nothing. */
export function validate(def: ResourceDef, o: KubeObject): void {
  const causes: Array<{ field: string; message: string }> = [];
  const name = o.metadata.name;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    });
  const spec = obj(o.spec);
  if (def.plural === 'pods' && def.group === '') {
    if (!Array.isArray(spec.containers) || spec.containers.length === 0)
      causes.push({ field: 'spec.containers', message: 'Required value' });
  }
  if (def.plural === 'persistentvolumeclaims' && def.group === '') {
    if (!Array.isArray(spec.accessModes) || spec.accessModes.length === 0)
      causes.push({ field: 'spec.accessModes', message: 'Required value: at least 1 access mode is required' });
    if (obj(obj(spec.resources).requests).storage === undefined)
      causes.push({ field: 'spec.resources[storage]', message: 'Required value' });
  }
  if (def.group === 'apps') {
    const sel = spec.selector as LabelSelector | undefined;
    const labels = obj(obj(spec.template).metadata).labels as Record<string, string> | undefined;
    if (!sel) causes.push({ field: 'spec.selector', message: 'Required value' });
    else if (!matchesSelector(sel, labels))
      causes.push({
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
      });
    if (typeof spec.replicas === 'number' && spec.replicas < 0)
      causes.push({
        field: 'spec.replicas',
        message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
      });
  }
  if (def.plural === 'customresourcedefinitions') {
    const names = obj(spec.names);
    if (typeof spec.group !== 'string' || !spec.group) causes.push({ field: 'spec.group', message: 'Required value' });
    if (typeof names.plural !== 'string') causes.push({ field: 'spec.names.plural', message: 'Required value' });
    if (typeof names.kind !== 'string') causes.push({ field: 'spec.names.kind', message: 'Required value' });
    if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
      causes.push({ field: 'spec.scope', message: `Unsupported value: "${String(spec.scope)}"` });
    if (!Array.isArray(spec.versions) || spec.versions.length === 0)
      causes.push({ field: 'spec.versions', message: 'Required value' });
    if (typeof names.plural === 'string' && name !== `${names.plural}.${String(spec.group)}`)
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      });
  }
  if (causes.length > 0) throw invalid(def.kind, def.group, name, causes);
}

/** The ResourceDef a CustomResourceDefinition registers. */
export function crdResource(crd: KubeObject): ResourceDef {
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const versions = (spec.versions as Obj[]).filter((v) => v.served !== false);
  versions.sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  const withStatus = versions.some((v) => obj(v.subresources).status !== undefined);
  const withScale = versions.some((v) => obj(v.subresources).scale !== undefined);
  const kind = String(names.kind);
  return {
    group: String(spec.group),
    versions: versions.map((v) => String(v.name)),
    plural: String(names.plural),
    singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
    kind,
    namespaced: spec.scope === 'Namespaced',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    ...(Array.isArray(names.shortNames) ? { shortNames: names.shortNames as string[] } : {}),
    ...(Array.isArray(names.categories) ? { categories: names.categories as string[] } : {}),
    subresources: {
      ...(withStatus ? { status: { kind, verbs: ['get', 'patch', 'update'] } } : {}),
      ...(withScale
        ? { scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] } }
        : {}),
    },
    crd: crd.metadata.name,
  };
}

/** The status of an accepted, established CRD. */
export function crdStatus(crd: KubeObject): Obj {
  const spec = obj(crd.spec);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, reason: string, message: string): Obj => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: spec.names,
    storedVersions: (spec.versions as Obj[]).filter((v) => v.storage === true).map((v) => v.name),
  };
}
