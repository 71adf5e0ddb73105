/**
 * @module Kubernetes targets: pods, nodes and workloads, found by the API server itself. Label and field selectors
 * (and `spec.nodeName`, `metadata.name`) go into the list call; turbulence never lists a whole cluster to filter it
 * here. Then the safety rules, in this order, each with its own error:
 *
 *   query ──list (selectors server-side)──▶ matches ──namespace allow-list──▶ ──opt-in──▶ targets (sorted by id)
 *
 *   - namespace allow-list: by default every namespace but kube-system, kube-public and the agent's namespace
 *     (`$TURBULENCE_AGENT_NAMESPACE`, default `turbulence`); `allowNamespaces` replaces the default;
 *   - opt-in: every target carries the label or annotation `turbulence.io/enabled=true`, unless the query says
 *     `optIn: false` (PowerfulSeal's and kube-monkey's rule: nothing is hit that did not volunteer).
 */
import type { KubernetesObject, V1LabelSelector, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { kubeClient, type ClusterRef, type KubeClient } from '../os/kube.js';
import { KUBE_OPT_IN, nodeQuerySchema, podQuerySchema, workloadQuerySchema } from './queries.js';
import { issuesToProblems } from '../experiment/schema-issues.js';
import type { z } from 'zod';

/** Namespaces never targeted unless `allowNamespaces` names them. */
export const PROTECTED_NAMESPACES = ['kube-system', 'kube-public'] as const;

/** The agent's namespace (never targeted by default). */
export function agentNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.TURBULENCE_AGENT_NAMESPACE ?? 'turbulence';
}

/** Why a namespace is refused, or undefined when it is allowed. Pure. */
export function namespaceRefusal(
  ns: string,
  allow: readonly string[] | undefined,
  agentNs = agentNamespace(),
): string | undefined {
  if (allow !== undefined)
    return allow.includes(ns) ? undefined : `namespace ${ns} is not in allowNamespaces (${allow.join(', ')})`;
  if ((PROTECTED_NAMESPACES as readonly string[]).includes(ns)) return `namespace ${ns} is protected`;
  if (ns === agentNs) return `namespace ${ns} is the turbulence agent's`;
  return undefined;
}

/** True when an object volunteered: label or annotation `turbulence.io/enabled=true`. Pure. */
export function optedIn(obj: KubernetesObject | undefined): boolean {
  const m = obj?.metadata;
  return m?.labels?.[KUBE_OPT_IN] === 'true' || m?.annotations?.[KUBE_OPT_IN] === 'true';
}

/** A label selector object as selector text (`app=web,tier in (a,b)`). Pure. */
export function selectorText(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Joins selector parts, skipping empty ones. Pure. */
export function joinSelectors(...parts: (string | undefined)[]): string | undefined {
  const s = parts.filter((p): p is string => p !== undefined && p.length > 0).join(',');
  return s.length > 0 ? s : undefined;
}

function parseQuery<S extends z.ZodType>(schema: S, query: JsonObject | undefined, what: string): z.output<S> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const first = issuesToProblems(r.error.issues, query ?? {})[0];
  throw new TurbulenceError(
    ErrorCodes.FAULT_INVALID_PARAMS,
    `bad ${what} target: ${first?.message ?? r.error.message}`,
    {
      location: { path: ['target', ...(first?.path ?? [])] },
      hint: `e.g. --target namespace=default --target selector=app=web; see docs/kubernetes.md`,
    },
  );
}

function refRef(k: KubeClient): ClusterRef {
  return k.ref();
}

/** Pods matching a `podQuerySchema` query (see the module comment for the rules). */
export async function resolvePods(query: JsonObject | undefined): Promise<Target[]> {
  const q = parseQuery(podQuerySchema, query, 'pod');
  const k = kubeClient({
    ...(q.kubeconfig ? { kubeconfig: q.kubeconfig } : {}),
    ...(q.context ? { context: q.context } : {}),
  });
  const ns = q.namespace ?? k.defaultNamespace;
  if (ns !== '*') refuseNamespace(ns, q.allowNamespaces);
  let owner: { selector: string; uids: Set<string> } | undefined;
  if (q.owner !== undefined) owner = await ownerFilter(k, ns, q.owner);
  const labelSelector = joinSelectors(q.selector, owner?.selector);
  const fieldSelector = joinSelectors(
    q.field,
    q.name !== undefined ? `metadata.name=${q.name}` : undefined,
    q.node !== undefined ? `spec.nodeName=${q.node}` : undefined,
  );
  const sel = { ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
  const list = await k.call({ verb: 'list', resource: 'pods', ...(ns !== '*' ? { namespace: ns } : {}) }, () =>
    ns === '*' ? k.core.listPodForAllNamespaces(sel) : k.core.listNamespacedPod({ namespace: ns, ...sel }),
  );
  let pods = list.items.filter((p) => !owner || (p.metadata?.ownerReferences ?? []).some((o) => owner.uids.has(o.uid)));
  const described = describeQuery(ns, labelSelector, fieldSelector);
  if (pods.length === 0) throw nothingMatched('pods', described);
  if (ns === '*') {
    pods = pods.filter((p) => namespaceRefusal(p.metadata?.namespace ?? '', q.allowNamespaces) === undefined);
    if (pods.length === 0)
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `every pod matching ${described} is in a protected namespace`,
        { hint: 'name the namespaces with allowNamespaces' },
      );
  }
  pods = requireOptIn(pods, q.optIn, 'pod', (p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  return pods.map((p) => podTarget(p, refRef(k))).sort(byId);
}

/** A pod as a target. */
export function podTarget(p: V1Pod, ref: ClusterRef): Target {
  const namespace = p.metadata?.namespace ?? 'default';
  const name = p.metadata?.name ?? '';
  return {
    id: `pod:${namespace}/${name}`,
    type: 'pod',
    name: `pod ${namespace}/${name}`,
    attributes: {
      namespace,
      name,
      uid: p.metadata?.uid ?? '',
      node: p.spec?.nodeName ?? '',
      phase: p.status?.phase ?? '',
      labels: { ...p.metadata?.labels },
      containers: (p.status?.containerStatuses ?? []).map((c) => ({ name: c.name, containerID: c.containerID ?? '' })),
      ...ref,
    },
  };
}

/** Nodes matching a `nodeQuerySchema` query. */
export async function resolveNodes(query: JsonObject | undefined): Promise<Target[]> {
  const q = parseQuery(nodeQuerySchema, query, 'node');
  const k = kubeClient({
    ...(q.kubeconfig ? { kubeconfig: q.kubeconfig } : {}),
    ...(q.context ? { context: q.context } : {}),
  });
  const names = q.name;
  const fieldSelector = joinSelectors(q.field, names?.length === 1 ? `metadata.name=${names[0]}` : undefined);
  const sel = { ...(q.selector ? { labelSelector: q.selector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
  const list = await k.call({ verb: 'list', resource: 'nodes' }, () => k.core.listNode(sel));
  let nodes = list.items.filter((n) => !names || names.includes(n.metadata?.name ?? ''));
  if (nodes.length === 0)
    throw nothingMatched(
      'nodes',
      describeQuery(
        undefined,
        q.selector,
        joinSelectors(fieldSelector, names && names.length > 1 ? `name in ${names.join(',')}` : undefined),
      ),
    );
  nodes = requireOptIn(nodes, q.optIn, 'node', (n) => n.metadata?.name ?? '');
  const ref = refRef(k);
  return nodes
    .map((n) => {
      const name = n.metadata?.name ?? '';
      return { id: `node:${name}`, type: 'node', name: `node ${name}`, attributes: { name, ...ref } };
    })
    .sort(byId);
}

/** Workloads (Deployments, StatefulSets, ReplicaSets) matching a `workloadQuerySchema` query. */
export async function resolveWorkloads(query: JsonObject | undefined): Promise<Target[]> {
  const q = parseQuery(workloadQuerySchema, query, 'workload');
  const k = kubeClient({
    ...(q.kubeconfig ? { kubeconfig: q.kubeconfig } : {}),
    ...(q.context ? { context: q.context } : {}),
  });
  const ns = q.namespace ?? k.defaultNamespace;
  if (ns === '*')
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'workload targets need one namespace, not *', {
      location: { path: ['target', 'namespace'] },
    });
  refuseNamespace(ns, q.allowNamespaces);
  let kind: string = q.kind;
  let name = q.name;
  const slash = name?.indexOf('/') ?? -1;
  if (name !== undefined && slash > 0) {
    kind = name.slice(0, slash).toLowerCase();
    name = name.slice(slash + 1);
    if (!['deployment', 'statefulset', 'replicaset'].includes(kind)) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_INVALID_PARAMS,
        `cannot scale a ${kind}: a workload is a deployment, statefulset or replicaset`,
        { location: { path: ['target', 'name'] } },
      );
    }
  }
  const fieldSelector = joinSelectors(q.field, name !== undefined ? `metadata.name=${name}` : undefined);
  const sel = {
    namespace: ns,
    ...(q.selector ? { labelSelector: q.selector } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
  };
  const resource = `${kind}s`;
  const list = await k.call(
    { verb: 'list', resource, group: 'apps', namespace: ns },
    async (): Promise<{ items: KubernetesObject[] }> => {
      if (kind === 'statefulset') return k.apps.listNamespacedStatefulSet(sel);
      if (kind === 'replicaset') return k.apps.listNamespacedReplicaSet(sel);
      return k.apps.listNamespacedDeployment(sel);
    },
  );
  let items = list.items;
  if (items.length === 0) throw nothingMatched(resource, describeQuery(ns, q.selector, fieldSelector));
  items = requireOptIn(
    items,
    q.optIn,
    kind,
    (w) => `${ns}/${w.metadata?.name}`,
    (w) => optedIn((w as { spec?: { template?: KubernetesObject } }).spec?.template),
  );
  const ref = refRef(k);
  return items
    .map((w) => {
      const n = w.metadata?.name ?? '';
      return {
        id: `${kind}:${ns}/${n}`,
        type: 'workload',
        name: `${kind} ${ns}/${n}`,
        attributes: { kind, namespace: ns, name: n, ...ref },
      };
    })
    .sort(byId);
}

function refuseNamespace(ns: string, allow: readonly string[] | undefined): void {
  const why = namespaceRefusal(ns, allow);
  if (why === undefined) return;
  throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `refusing to act in namespace ${ns}: ${why}`, {
    location: { path: ['target', 'namespace'] },
    hint: `choose another namespace, or name it on purpose: --target allowNamespaces=${ns} (target: { allowNamespaces: [${ns}] })`,
  });
}

function requireOptIn<T extends KubernetesObject>(
  items: T[],
  required: boolean,
  what: string,
  label: (t: T) => string,
  alsoOk: (t: T) => boolean = () => false,
): T[] {
  if (!required) return items;
  const kept = items.filter((t) => optedIn(t) || alsoOk(t));
  if (kept.length > 0) return kept;
  const names = items.slice(0, 5).map(label).join(', ');
  throw new TurbulenceError(
    ErrorCodes.TARGET_REFUSED,
    `no ${what} matching the query has opted in (${names}${items.length > 5 ? ', ...' : ''} lack ${KUBE_OPT_IN}=true)`,
    {
      hint: `opt in with \`kubectl label ${what} NAME ${KUBE_OPT_IN}=true\` (or an annotation), or say so in the query: --target optIn=false`,
    },
  );
}

function describeQuery(ns: string | undefined, labels: string | undefined, fields: string | undefined): string {
  const parts = [labels ? `selector "${labels}"` : '', fields ? `field selector "${fields}"` : ''].filter(Boolean);
  const where = ns === undefined ? '' : ns === '*' ? ' in any namespace' : ` in namespace ${ns}`;
  return `${parts.join(' and ') || 'the query'}${where}`;
}

function nothingMatched(resource: string, described: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no ${resource} match ${described}`, {
    hint: `check with \`kubectl get ${resource}\` and the same -l / --field-selector; is it the right namespace and context?`,
  });
}

const byId = (a: Target, b: Target): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Label selector + uids of the objects that own a workload's pods (`deployment/web` → its ReplicaSets). */
async function ownerFilter(k: KubeClient, ns: string, owner: string): Promise<{ selector: string; uids: Set<string> }> {
  if (ns === '*')
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'owner= needs one namespace, not *', {
      location: { path: ['target', 'namespace'] },
    });
  const [kindRaw, name = ''] = owner.split('/');
  const kind = (kindRaw ?? '').toLowerCase();
  const what = { verb: 'get', resource: `${kind}s`, group: kind === 'job' ? 'batch' : 'apps', namespace: ns, name };
  type Owned = KubernetesObject & { spec?: { selector?: V1LabelSelector } };
  const read = async (): Promise<Owned> => {
    if (kind === 'deployment') return k.apps.readNamespacedDeployment({ name, namespace: ns });
    if (kind === 'statefulset') return k.apps.readNamespacedStatefulSet({ name, namespace: ns });
    if (kind === 'daemonset') return k.apps.readNamespacedDaemonSet({ name, namespace: ns });
    if (kind === 'replicaset') return k.apps.readNamespacedReplicaSet({ name, namespace: ns });
    throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `owner kind ${kind} is not supported here; use a selector`);
  };
  const obj = await k.call(what, read);
  const selector = selectorText(obj.spec?.selector);
  const uid = obj.metadata?.uid ?? '';
  // A deployment owns its pods through ReplicaSets (a minimal controller may own them directly).
  if (kind !== 'deployment') return { selector, uids: new Set([uid]) };
  const rs = await k.call({ verb: 'list', resource: 'replicasets', group: 'apps', namespace: ns }, () =>
    k.apps.listNamespacedReplicaSet({ namespace: ns, ...(selector ? { labelSelector: selector } : {}) }),
  );
  const owned = (o: V1OwnerReference[] | undefined) => (o ?? []).some((r) => r.uid === uid);
  const rsUids = rs.items.filter((r) => owned(r.metadata?.ownerReferences)).map((r) => r.metadata?.uid ?? '');
  return { selector, uids: new Set([uid, ...rsUids]) };
}
