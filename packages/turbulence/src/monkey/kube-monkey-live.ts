/**
 * @module kube-monkey's opt-in labels read from live targets, with kube-monkey's meaning (asobti/kube-monkey
 * `internal/pkg/victims`, `chaos/chaos.go` and its README, commit 7dcb3ca1):
 *
 *   discovery (when the time line is planned)            at each fault (kube-monkey's "kill time")
 *   ─────────────────────────────────────────            ─────────────────────────────────────────
 *   Deployments/StatefulSets/DaemonSets (Kubernetes)     the victim's labels are read again:
 *   or containers (Docker) labelled                        kube-monkey/enabled != enabled → skip
 *   kube-monkey/enabled=enabled, namespace not             kube-monkey/kill-mode + kill-value → how many:
 *   blacklisted and whitelisted; each needs                  (none)             one running target
 *   kube-monkey/identifier and kube-monkey/mtbf              kill-all           every target, any state
 *   (a positive integer, in days), else it is                fixed N            N running (all if fewer)
 *   skipped with a warning, as kube-monkey does.             random-max-percent floor(running × U[0,N] / 100)
 *                                                            fixed-percent      floor(running × N / 100)
 *                                                          a missing or invalid kill-value: one running target
 *                                                          (kube-monkey: "Proceeding with termination of a
 *                                                          single pod"); 0 to kill: skip.
 *
 * Pods belong to a victim through `kube-monkey/identifier=<id>` in its namespace; Kubernetes victims' labels are
 * the workload's `metadata.labels`. Docker has no workloads: a victim is the set of containers sharing an
 * identifier, and its labels are those of its first container by name. Unlike kube-monkey, which draws with
 * replacement, one fault never picks the same target twice.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { errorMessage } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { Rng } from '../core/rng.js';
import { kubeClient, type ClusterRef } from '../os/kube.js';
import { labelsOf } from './plan.js';
import type { KubeMonkeySource } from './validate.js';

/** The labels kube-monkey reads. */
export const KM = {
  enabled: 'kube-monkey/enabled',
  identifier: 'kube-monkey/identifier',
  mtbf: 'kube-monkey/mtbf',
  killMode: 'kube-monkey/kill-mode',
  killValue: 'kube-monkey/kill-value',
} as const;

/** Workload kinds kube-monkey takes victims from. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export type { KubeMonkeySource };

/** A victim found when the time line is planned. */
export interface LiveVictim {
  /** `Deployment shop/web` or `containers web`. */
  title: string;
  namespace?: string;
  identifier: string;
  mtbf: number;
  labels: Record<string, string>;
  source: KubeMonkeySource;
}

/** kube-monkey's `strconv.Atoi(v)` followed by `> 0`. */
function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Identifier and mtbf, or why kube-monkey skips the victim (its words). */
export function victimOf(
  title: string,
  labels: Record<string, string>,
): { identifier: string; mtbf: number } | { skip: string } {
  const identifier = labels[KM.identifier];
  if (identifier === undefined) return { skip: `${title} does not have ${KM.identifier} label` };
  const raw = labels[KM.mtbf];
  if (raw === undefined) return { skip: `${title} does not have ${KM.mtbf} label` };
  const mtbf = positiveInt(raw);
  if (mtbf === undefined) return { skip: `Invalid value for label ${KM.mtbf}: ${raw}` };
  return { identifier, mtbf };
}

/**
 * Opted-in Kubernetes workloads in every namespace `allowed` accepts (one list call per kind, selector
 * `kube-monkey/enabled=enabled` applied by the API server).
 */
export async function discoverWorkloads(
  allowed: (namespace: string) => boolean,
  warn: (message: string) => void,
  cluster: ClusterRef = {},
): Promise<LiveVictim[]> {
  const k = kubeClient(cluster);
  const labelSelector = `${KM.enabled}=enabled`;
  const lists: [WorkloadKind, KubernetesObject[]][] = [
    [
      'Deployment',
      (
        await k.call({ verb: 'list', resource: 'deployments' }, () =>
          k.apps.listDeploymentForAllNamespaces({ labelSelector }),
        )
      ).items,
    ],
    [
      'StatefulSet',
      (
        await k.call({ verb: 'list', resource: 'statefulsets' }, () =>
          k.apps.listStatefulSetForAllNamespaces({ labelSelector }),
        )
      ).items,
    ],
    [
      'DaemonSet',
      (
        await k.call({ verb: 'list', resource: 'daemonsets' }, () =>
          k.apps.listDaemonSetForAllNamespaces({ labelSelector }),
        )
      ).items,
    ],
  ];
  const out: LiveVictim[] = [];
  for (const [kind, items] of lists) {
    for (const w of items) {
      const namespace = w.metadata?.namespace ?? 'default';
      const name = w.metadata?.name ?? '';
      const labels = { ...w.metadata?.labels };
      const title = `${kind} ${namespace}/${name}`;
      if (!allowed(namespace)) {
        warn(`${title}: namespace not allowed by the black/whitelist; skipped`);
        continue;
      }
      const v = victimOf(title, labels);
      if ('skip' in v) {
        warn(`Skipping eligible ${title} because of error: ${v.skip}`);
        continue;
      }
      out.push({
        title,
        namespace,
        ...v,
        labels,
        source: { workload: { kind, namespace, name }, ...(Object.keys(cluster).length ? { cluster } : {}) },
      });
    }
  }
  return out.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
}

/** Opted-in containers, one victim per `kube-monkey/identifier` (labels of its first container by name). */
export function victimsFromContainers(containers: readonly Target[], warn: (message: string) => void): LiveVictim[] {
  const byId = new Map<string, Target[]>();
  for (const c of [...containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const labels = labelsOf(c);
    if (labels[KM.enabled] !== 'enabled') continue;
    const id = labels[KM.identifier];
    if (id === undefined) {
      warn(`Skipping eligible container ${c.name} because of error: it does not have ${KM.identifier} label`);
      continue;
    }
    byId.set(id, [...(byId.get(id) ?? []), c]);
  }
  const out: LiveVictim[] = [];
  for (const [identifier, members] of byId) {
    const labels = labelsOf(members[0] as Target);
    const title = `containers ${identifier}`;
    const v = victimOf(title, labels);
    if ('skip' in v) {
      warn(`Skipping eligible ${title} because of error: ${v.skip}`);
      continue;
    }
    out.push({ title, ...v, labels, source: { identifier } });
  }
  return out;
}

/** The labels of a victim now, or why there is no victim any more. */
export async function currentLabels(
  source: KubeMonkeySource,
  targets: readonly Target[],
): Promise<{ labels: Record<string, string>; title: string } | { skip: string }> {
  if ('identifier' in source) {
    const mine = targets
      .filter((t) => labelsOf(t)[KM.identifier] === source.identifier)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const title = `containers ${source.identifier}`;
    if (mine.length === 0) return { skip: `${title} has no containers at the moment` };
    return { labels: labelsOf(mine[0] as Target), title };
  }
  const { kind, namespace, name } = source.workload;
  const title = `${kind} ${namespace}/${name}`;
  try {
    const k = kubeClient(source.cluster ?? {});
    const what = { verb: 'get', resource: `${kind.toLowerCase()}s`, namespace, name };
    const args = { namespace, name };
    const w =
      kind === 'Deployment'
        ? await k.maybe(what, () => k.apps.readNamespacedDeployment(args))
        : kind === 'StatefulSet'
          ? await k.maybe(what, () => k.apps.readNamespacedStatefulSet(args))
          : await k.maybe(what, () => k.apps.readNamespacedDaemonSet(args));
    if (!w) return { skip: `${title} no longer exists` };
    return { labels: { ...w.metadata?.labels }, title };
  } catch (err) {
    return { skip: `${title}: ${errorMessage(err)}` };
  }
}

/** Whether a target is running (pods: phase Running; containers: state running; others: yes). */
export function isRunning(t: Target): boolean {
  if (t.type === 'pod') return t.attributes.phase === 'Running';
  if (t.type === 'container') return t.attributes.state === 'running';
  return true;
}

/** What one fault of a victim hits, decided from its labels now. */
export type KillDecision = { targets: Target[]; note?: string } | { skip: string };

/**
 * kube-monkey's kill modes on the victim's targets (see the module comment), drawing from `rng`.
 *
 * @example
 * killTargets({ 'kube-monkey/enabled': 'enabled', 'kube-monkey/kill-mode': 'fixed', 'kube-monkey/kill-value': '2' },
 *   'Deployment shop/web', pods, rng);
 */
export function killTargets(
  labels: Record<string, string>,
  title: string,
  targets: readonly Target[],
  rng: Rng,
): KillDecision {
  if (labels[KM.enabled] !== 'enabled') return { skip: `${title} is no longer enrolled in kube-monkey. Skipping` };
  const sorted = [...targets].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const running = sorted.filter(isRunning);
  const pick = (n: number, from: Target[]): Target[] => rng.shuffle(from).slice(0, n);
  const single = (why: string): KillDecision =>
    running.length === 0
      ? { skip: `${title} has no running pods at the moment` }
      : { targets: pick(1, running), note: `${why}. Proceeding with termination of a single pod` };
  const mode = labels[KM.killMode];
  if (mode === undefined) {
    return running.length === 0
      ? { skip: `${title} has no running pods at the moment` }
      : { targets: pick(1, running) };
  }
  if (mode === 'kill-all') {
    return sorted.length === 0 ? { skip: `${title} has no pods at the moment` } : { targets: sorted };
  }
  if (!['fixed', 'random-max-percent', 'fixed-percent'].includes(mode))
    return { skip: `failed to recognize KillType label for ${title}` };
  const raw = labels[KM.killValue];
  const value = positiveInt(raw);
  if (value === undefined) {
    return single(
      raw === undefined
        ? `Failed to check KillValue label for ${title}: it does not have ${KM.killValue} label`
        : `Failed to check KillValue label for ${title}: Invalid value for label ${KM.killValue}: ${raw}`,
    );
  }
  if (mode !== 'fixed' && value > 100) return { skip: `percentage value of ${value} is invalid. Must be [0-100]` };
  if (running.length === 0) return { skip: `${title} has no running pods at the moment` };
  const pct = mode === 'random-max-percent' ? rng.int(value + 1) : value;
  const n = mode === 'fixed' ? value : Math.floor((running.length * pct) / 100);
  if (n === 0) return { skip: `no terminations requested for ${title}` };
  const note =
    n > running.length
      ? `${title} has only ${running.length} currently running pods, but ${n} terminations requested`
      : undefined;
  return { targets: pick(n, running), ...(note ? { note } : {}) };
}
