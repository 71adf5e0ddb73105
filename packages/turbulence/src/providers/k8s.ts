/**
 * Ours: the `k8s` provider. Read-only measurements of a cluster for steady-state hypotheses and abort conditions:
 *
 *   { "type": "k8s", "probe": "pods-ready", "namespace": "default", "selector": "app=web" }        → 3
 *   { "type": "k8s", "probe": "deployment-available", "name": "web" }                              → 3
 *   { "type": "k8s", "probe": "field", "apiVersion": "v1", "kind": "Node", "name": "node-1",
 *     "jsonpath": "{.spec.unschedulable}" }                                                          → true
 *
 * Pods are listed with the selector server-side. A missing object or an unreachable cluster fails the probe.
 */
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../core/errors.js';
import { kubeClient } from '../os/kube.js';
import { k8sSchema, type K8sProvider } from './k8s-schema.js';
import { activityFailed, type ProviderDefinition } from './types.js';

/** True when a pod is Running with its Ready condition True. */
export function podIsReady(p: V1Pod): boolean {
  return (
    p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/**
 * Evaluates a kubectl-style jsonpath of plain field access (`{.status.conditions[0].type}`, `.metadata.labels.app`,
 * `{.metadata.annotations['a.b/c']}`) on a JSON value. Undefined when a step is missing.
 *
 * @example
 * fieldAt({ spec: { replicas: 3 } }, '{.spec.replicas}'); // 3
 */
export function fieldAt(value: unknown, jsonpath: string): unknown {
  const path = jsonpath
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  const steps = [...path.matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? '',
  );
  let cur: unknown = value;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

async function measure(p: K8sProvider): Promise<unknown> {
  const k = kubeClient({
    ...(p.kubeconfig ? { kubeconfig: p.kubeconfig } : {}),
    ...(p.context ? { context: p.context } : {}),
  });
  const namespace = p.namespace ?? k.defaultNamespace;
  if (p.probe === 'pods-ready') {
    const list = await k.call({ verb: 'list', resource: 'pods', namespace }, () =>
      k.core.listNamespacedPod({ namespace, labelSelector: p.selector ?? '' }),
    );
    return list.items.filter(podIsReady).length;
  }
  const name = p.name ?? '';
  if (p.probe === 'deployment-available') {
    const d = await k.call({ verb: 'get', resource: 'deployments', group: 'apps', namespace, name }, () =>
      k.apps.readNamespacedDeployment({ name, namespace }),
    );
    return d.status?.availableReplicas ?? 0;
  }
  const objects = KubernetesObjectApi.makeApiClient(k.config);
  const cluster = ['Node', 'Namespace', 'PersistentVolume'].includes(p.kind ?? '');
  const obj = await k.call(
    { verb: 'get', resource: (p.kind ?? '').toLowerCase(), name, ...(cluster ? {} : { namespace }) },
    () =>
      objects.read({
        apiVersion: p.apiVersion ?? 'v1',
        kind: p.kind ?? '',
        metadata: { name, ...(cluster ? {} : { namespace }) },
      }),
  );
  return fieldAt(JSON.parse(JSON.stringify(obj)), p.jsonpath ?? '');
}

/** The `k8s` provider definition. */
export const k8sProvider: ProviderDefinition<K8sProvider> = {
  type: 'k8s',
  schema: k8sSchema,
  substitute: ['namespace', 'selector', 'name', 'jsonpath'],
  run: async (p, ctx) => {
    if (ctx.signal.aborted) throw activityFailed(`k8s ${p.probe} probe aborted`);
    try {
      return await measure(p);
    } catch (err) {
      throw activityFailed(`k8s ${p.probe} probe failed: ${errorMessage(err)}`, err);
    }
  },
  describe: (p) =>
    p.probe === 'pods-ready'
      ? `k8s ready pods ${p.selector ?? ''} in ${p.namespace ?? 'default'}`
      : p.probe === 'deployment-available'
        ? `k8s available replicas of deployment ${p.name ?? ''}`
        : `k8s ${p.kind ?? ''} ${p.name ?? ''} ${p.jsonpath ?? ''}`,
};
