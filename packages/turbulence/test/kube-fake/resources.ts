/**
 * The resource types the Kubernetes API fake serves: built-in ones from a table, custom ones registered when a
 * CustomResourceDefinition is created. One entry per (group, plural); versions share one storage (no conversion).
 */

/** A subresource served under `<resource>/<name>/<sub>`, as discovery lists it. */
export interface SubresourceDef {
  kind: string;
  verbs: string[];
  /** Set when the subresource speaks another group/version (pods/eviction → policy/v1, the scale subresources → autoscaling/v1). */
  group?: string;
  version?: string;
}

/** One resource type. */
export interface ResourceDef {
  /** API group, '' for the core group. */
  group: string;
  /** Served versions; the first is the preferred one. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: Record<string, SubresourceDef>;
  /** Registered by a CustomResourceDefinition (name of the CRD). */
  crd?: string;
}

/** Storage key of a resource type: `group/plural`. */
export const keyOf = (def: Pick<ResourceDef, 'group' | 'plural'>): string => `${def.group}/${def.plural}`;

/** `apiVersion` of a group/version pair (`v1`, `apps/v1`). */
export const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: SubresourceDef = { kind: '', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceDef = { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

function def(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return {
    group,
    versions: [version],
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ALL,
    subresources: {},
    ...extra,
  };
}

/** The built-in resource types. */
export function builtinResources(): ResourceDef[] {
  return [
    def('', 'v1', 'Namespace', 'namespaces', false, {
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: { status: { ...STATUS, kind: 'Namespace' } },
    }),
    def('', 'v1', 'Pod', 'pods', true, {
      shortNames: ['po'],
      categories: ['all'],
      subresources: {
        status: { ...STATUS, kind: 'Pod' },
        eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
        exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
        log: { kind: 'Pod', verbs: ['get'] },
      },
    }),
    def('', 'v1', 'Node', 'nodes', false, {
      shortNames: ['no'],
      subresources: { status: { ...STATUS, kind: 'Node' } },
    }),
    def('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
    def('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
    def('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
    // Stored, defaulted and validated; never bound (no storage provisioner): phase stays Pending, as on a cluster
    // whose StorageClass has none.
    def('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
      shortNames: ['pvc'],
      subresources: { status: { ...STATUS, kind: 'PersistentVolumeClaim' } },
    }),
    def('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'] }),
    def('apps', 'v1', 'Deployment', 'deployments', true, {
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: { status: { ...STATUS, kind: 'Deployment' }, scale: SCALE },
    }),
    def('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
      shortNames: ['rs'],
      categories: ['all'],
      subresources: { status: { ...STATUS, kind: 'ReplicaSet' }, scale: SCALE },
    }),
    def('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
      shortNames: ['sts'],
      categories: ['all'],
      subresources: { status: { ...STATUS, kind: 'StatefulSet' }, scale: SCALE },
    }),
    def('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
      shortNames: ['ds'],
      categories: ['all'],
      subresources: { status: { ...STATUS, kind: 'DaemonSet' } },
    }),
    def('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
      shortNames: ['pdb'],
      subresources: { status: { ...STATUS, kind: 'PodDisruptionBudget' } },
    }),
    def('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
    // Stored only (no controller): so `kubectl apply --dry-run=client -f deploy/kubernetes/` maps every kind.
    def('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'] }),
    def('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'] }),
    def('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
    def('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
    def('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
    def('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
    def('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
    def('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, {
      verbs: ['create'],
    }),
    def('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
      shortNames: ['crd', 'crds'],
      subresources: { status: { ...STATUS, kind: 'CustomResourceDefinition' } },
    }),
  ];
}

/** The set of resource types, looked up by group/version/plural or by the short forms kubectl and tests use. */
export class Registry {
  private readonly defs = new Map<string, ResourceDef>();

  constructor(defs: ResourceDef[] = builtinResources()) {
    for (const d of defs) this.add(d);
  }

  add(d: ResourceDef): void {
    this.defs.set(keyOf(d), d);
  }

  remove(key: string): void {
    this.defs.delete(key);
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  /** The type served at `/<prefix>/<group>/<version>/<plural>`, if that version is served. */
  at(group: string, version: string, plural: string): ResourceDef | undefined {
    const d = this.defs.get(`${group}/${plural}`);
    return d?.versions.includes(version) ? d : undefined;
  }

  /** Storage key of `pods`, `deployments`, `apps/deployments`, `deployments.apps`, `Pod`: throws when unknown. */
  resolve(name: string): ResourceDef {
    const byKey = this.defs.get(name.includes('/') ? name : `/${name}`);
    if (byKey) return byKey;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const d = this.defs.get(`${name.slice(dot + 1)}/${name.slice(0, dot)}`);
      if (d) return d;
    }
    const lower = name.toLowerCase();
    const found = this.all().filter(
      (d) =>
        d.plural === lower || d.singular === lower || d.kind.toLowerCase() === lower || d.shortNames?.includes(lower),
    );
    if (found.length === 0) throw new Error(`kube-fake: unknown resource "${name}"`);
    return found[0]!;
  }

  /** Groups with their versions, in registration order (core excluded). */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.defs.values()) {
      if (d.group === '') continue;
      const vs = out.get(d.group) ?? [];
      for (const v of d.versions) if (!vs.includes(v)) vs.push(v);
      out.set(d.group, vs);
    }
    return out;
  }
}
