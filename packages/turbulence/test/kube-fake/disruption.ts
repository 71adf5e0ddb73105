/**
 * PodDisruptionBudgets and evictions: how many of a budget's pods may go now, and the eviction subresource that
 * refuses with 429 when a budget would be broken (kubectl drain retries those).
 */
import type { Cluster } from './cluster.js';
import { KubeError } from './errors.js';
import { matchesSelector, type LabelSelector } from './selectors.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;

/** True when a pod counts as healthy for a budget: Ready and not terminating. */
export function podReady(p: KubeObject): boolean {
  if (p.metadata.deletionTimestamp) return false;
  const conds = ((p.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

const resolve = (v: unknown, total: number, roundUp: boolean): number => {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
};

/** The status a budget should show (expected, current healthy, desired healthy, disruptions allowed). */
export function budgetStatus(cluster: Cluster, pdb: KubeObject): Obj {
  const spec = (pdb.spec ?? {}) as { selector?: LabelSelector; minAvailable?: unknown; maxUnavailable?: unknown };
  const pods = cluster
    .select(cluster.def('pods'), { namespace: pdb.metadata.namespace })
    .filter((p) => !p.metadata.deletionTimestamp && matchesSelector(spec.selector, p.metadata.labels));
  const expected = pods.length;
  const healthy = pods.filter(podReady).length;
  const desired =
    spec.minAvailable !== undefined
      ? resolve(spec.minAvailable, expected, true)
      : expected - resolve(spec.maxUnavailable ?? 0, expected, true);
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    expectedPods: expected,
    currentHealthy: healthy,
    desiredHealthy: desired,
    disruptionsAllowed: Math.max(0, healthy - desired),
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: healthy - desired > 0 ? 'True' : 'False',
        reason: healthy - desired > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: pdb.metadata.generation ?? 1,
        lastTransitionTime: pdb.metadata.creationTimestamp,
      },
    ],
  };
}

/** POST pods/<name>/eviction: deletes the pod unless a budget forbids it (429). */
export function evict(cluster: Cluster, ns: string, name: string, body: unknown): Obj {
  const podDef = cluster.def('pods');
  const pod = cluster.must(podDef, ns, name);
  const deleteOptions = ((body ?? {}) as { deleteOptions?: { gracePeriodSeconds?: number; dryRun?: string[] } })
    .deleteOptions;
  if (podReady(pod)) {
    for (const pdb of cluster.select(cluster.def('poddisruptionbudgets'), { namespace: ns })) {
      const sel = (pdb.spec as { selector?: LabelSelector } | undefined)?.selector;
      if (!matchesSelector(sel, pod.metadata.labels)) continue;
      const s = budgetStatus(cluster, pdb);
      if ((s.disruptionsAllowed as number) <= 0)
        throw new KubeError(
          429,
          'TooManyRequests',
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${String(s.desiredHealthy)} healthy pods and has ${String(s.currentHealthy)} currently`,
                field: '',
              },
            ],
          },
        );
    }
  }
  cluster.remove(podDef, ns, name, {
    ...(deleteOptions?.gracePeriodSeconds !== undefined
      ? { gracePeriodSeconds: deleteOptions.gracePeriodSeconds }
      : {}),
    ...(deleteOptions?.dryRun?.includes('All') ? { dryRun: true } : {}),
  });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
