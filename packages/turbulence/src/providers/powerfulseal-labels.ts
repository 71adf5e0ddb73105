/**
 * PowerfulSeal's label mode (`seal label`), as `turbulence run --powerfulseal-labels NAMESPACE`: one pass over the
 * pods of the namespace (`*`: every namespace); each pod that opted in with `seal/enabled: "true"` (label or
 * annotation) is killed when its own settings allow it now:
 *
 *   seal/days            days it may be killed, e.g. `mon,tue,wed` (default mon–fri)
 *   seal/start-time      from HH-MM-SS, the process's time zone (default 10-00-00)
 *   seal/end-time        until HH-MM-SS (default 17-30-00)
 *   seal/kill-probability  0..1 (default 1), drawn from the run's seeded RNG
 *   seal/force-kill      `true`: deleted with --force (default false)
 *
 * As every turbulence Kubernetes target, the pod must also carry `turbulence.io/enabled=true`; a seal-enabled pod
 * without it is listed as skipped, with why. Each kill is a `pod.delete` fault of the run (ledger, recover).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../os/kube.js';
import { namespaceRefusal, optedIn } from '../targets/kubernetes.js';
import { KUBE_OPT_IN } from '../targets/queries.js';
import { activityFailed, type ProviderContext } from './types.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A pod's `seal/<name>` setting: its label, else its annotation. */
function setting(p: V1Pod, name: string): string | undefined {
  return p.metadata?.labels?.[`seal/${name}`] ?? p.metadata?.annotations?.[`seal/${name}`];
}

const seconds = (hms: string): number | undefined => {
  const m = /^(\d{1,2})-(\d{1,2})-(\d{1,2})$/.exec(hms.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
};

/**
 * Whether a seal-enabled pod may be killed at `now` (its days and hours), and with which force; `why` when not.
 *
 * @example
 * sealWindow(pod, new Date('2026-12-07T11:00:00')); // { ok: true, force: false, probability: 1 } on a Monday
 */
export function sealWindow(
  p: V1Pod,
  now: Date,
  timeZone?: string,
): { ok: boolean; force: boolean; probability: number; why?: string } {
  const force = setting(p, 'force-kill') === 'true';
  const probability = Number(setting(p, 'kill-probability') ?? '1');
  if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
    return {
      ok: false,
      force,
      probability: 0,
      why: `seal/kill-probability "${setting(p, 'kill-probability')}" is not 0..1`,
    };
  }
  const days = (setting(p, 'days') ?? 'mon,tue,wed,thu,fri').split(',').map((d) => d.trim().slice(0, 3).toLowerCase());
  const parts = new Intl.DateTimeFormat('en-US', {
    ...(timeZone ? { timeZone } : {}),
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => parts.find((x) => x.type === t)?.value ?? '0';
  const day = get('weekday').toLowerCase();
  const secs = Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second'));
  const start = seconds(setting(p, 'start-time') ?? '10-00-00');
  const end = seconds(setting(p, 'end-time') ?? '17-30-00');
  if (start === undefined || end === undefined) {
    return { ok: false, force, probability, why: 'seal/start-time and seal/end-time are HH-MM-SS, e.g. 10-00-00' };
  }
  if (!days.includes(day) || !DAY_NAMES.includes(day)) {
    return { ok: false, force, probability, why: `not on its seal/days (${days.join(',')}; today is ${day})` };
  }
  if (secs < start || secs >= end) {
    return { ok: false, force, probability, why: 'outside its seal/start-time..seal/end-time' };
  }
  return { ok: true, force, probability };
}

/** One label-mode pass (the `labelMode` step of a `powerfulseal` provider run); returns its step record. */
export async function labelModePass(
  namespace: string,
  ctx: ProviderContext,
  k: KubeClient,
): Promise<{ step: string; matched: number; selected: string[]; killed: string[]; detail: string }> {
  const list =
    namespace === '*'
      ? await k.call({ verb: 'list', resource: 'pods' }, () => k.core.listPodForAllNamespaces({}))
      : await k.call({ verb: 'list', resource: 'pods', namespace }, () => k.core.listNamespacedPod({ namespace }));
  const key = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
  const sealed = list.items.filter((p) => setting(p, 'enabled') === 'true');
  const skipped: string[] = [];
  const selected: string[] = [];
  const killed: string[] = [];
  for (const p of sealed) {
    if (namespaceRefusal(p.metadata?.namespace ?? '', undefined) !== undefined || !optedIn(p)) {
      skipped.push(`${key(p)}: lacks ${KUBE_OPT_IN}=true (or is in a protected namespace)`);
      continue;
    }
    const w = sealWindow(p, new Date());
    if (!w.ok) {
      skipped.push(`${key(p)}: ${w.why ?? ''}`);
      continue;
    }
    selected.push(key(p));
    if (!ctx.rng.chance(w.probability)) {
      skipped.push(`${key(p)}: seal/kill-probability ${w.probability} not passed`);
      continue;
    }
    if (!ctx.faults) throw activityFailed('label mode kills need a run');
    await ctx.faults.inject(
      {
        kind: 'pod.delete',
        target: { namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' },
        params: { gracePeriod: 0, force: w.force },
      },
      { activity: '' },
    );
    killed.push(key(p));
  }
  const detail =
    sealed.length === 0
      ? `no pod in ${namespace} has seal/enabled=true`
      : skipped.length > 0
        ? `skipped: ${skipped.slice(0, 10).join('; ')}${skipped.length > 10 ? '; ...' : ''}`
        : 'every seal-enabled pod was killed';
  return { step: 'labelMode', matched: sealed.length, selected, killed, detail };
}

/**
 * The experiment `turbulence run --powerfulseal-labels NAMESPACE` runs: one `powerfulseal` action whose scenario is
 * one label-mode pass over `namespace`.
 */
export function labelModeExperiment(namespace: string): string {
  return JSON.stringify({
    title: `PowerfulSeal label mode in ${namespace === '*' ? 'every namespace' : `namespace ${namespace}`}`,
    description: 'Kills the pods that opted in with seal/enabled=true, each when its seal/* labels allow it now.',
    tags: ['powerfulseal'],
    method: [
      {
        type: 'action',
        name: 'seal label mode',
        provider: { type: 'powerfulseal', scenarios: [{ name: 'label mode', steps: [{ labelMode: { namespace } }] }] },
      },
    ],
  });
}
