/**
 * Ours: the `powerfulseal` provider runs one run of a PowerfulSeal policy (see `experiment/formats/powerfulseal.ts`
 * and docs/powerfulseal.md): match → filter → action on pods, `wait`, `probeHTTP`, `kubectl`. Every random choice
 * (random scenario, wait between runs, `randomSample`, `probability`, kill `probability`) comes from the run's
 * seeded RNG, so `--seed` replays it; every kill is a `pod.delete` fault through the run's injector (ledger,
 * blast radius, recover). Pods must carry the opt-in label like every turbulence Kubernetes target.
 */
import { spawn } from 'node:child_process';
import type { V1Pod } from '@kubernetes/client-node';
import { RE2JS } from 're2js';
import { errorMessage } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { kubeClient, type KubeClient } from '../os/kube.js';
import { namespaceRefusal, optedIn } from '../targets/kubernetes.js';
import { KUBE_OPT_IN } from '../targets/queries.js';
import { sleep } from '../experiment/context.js';
import { powerfulSealProviderSchema, type PowerfulSealProvider } from './powerfulseal-schema.js';
import { labelModePass } from './powerfulseal-labels.js';
import { activityFailed, type ProviderContext, type ProviderDefinition } from './types.js';

type Obj = Record<string, unknown>;

/** What one run did, step by step (the activity's output in the journal). */
export interface SealRunOutput {
  scenario: string;
  waitedSeconds: number;
  steps: {
    step: string;
    matched?: number;
    /** The pods that passed the filters, `namespace/name`. */
    selected?: string[];
    killed?: string[];
    detail?: string;
  }[];
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** True when `now` (in `timeZone`, default the process's) is on one of the days and inside [start, end). */
export function inDayTime(filter: Obj, now: Date, timeZone?: string): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    ...(timeZone ? { timeZone } : {}),
    weekday: 'long',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const day = get('weekday').toLowerCase();
  const secs = Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second'));
  const at = (t: unknown) => {
    const o = (t ?? {}) as { hour?: number; minute?: number; second?: number };
    return (o.hour ?? 0) * 3600 + (o.minute ?? 0) * 60 + (o.second ?? 0);
  };
  const days = (filter.onlyDays as string[] | undefined) ?? DAYS;
  return days.includes(day) && DAYS.includes(day) && secs >= at(filter.startTime) && secs < at(filter.endTime);
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

const key = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** A namespace given as a regex (PowerfulSeal treats `namespace` as a regex when it has regex characters). */
const isRegex = (ns: string) => /[.*+?^$()[\]{}|\\]/.test(ns);

async function matchPods(k: KubeClient, matches: Obj[]): Promise<V1Pod[]> {
  const found = new Map<string, V1Pod>();
  for (const m of matches) {
    let ns: string;
    let selector = '';
    if (typeof m.namespace === 'string') ns = m.namespace;
    else if (m.labels) {
      const l = m.labels as { namespace: string; selector?: string };
      ns = l.namespace;
      selector = l.selector ?? '';
    } else {
      const d = m.deployment as { name: string; namespace: string };
      ns = d.namespace;
      const dep = await k.call({ verb: 'get', resource: 'deployments', namespace: ns, name: d.name }, () =>
        k.apps.readNamespacedDeployment({ name: d.name, namespace: ns }),
      );
      const labels = dep.spec?.selector?.matchLabels ?? {};
      selector = Object.entries(labels)
        .map(([a, b]) => `${a}=${b}`)
        .join(',');
    }
    const sel = selector ? { labelSelector: selector } : {};
    const all = ns === '*'; // every namespace, as in PowerfulSeal
    const regex = !all && isRegex(ns) ? RE2JS.compile(`^(?:${ns})$`) : undefined;
    const list =
      all || regex
        ? await k.call({ verb: 'list', resource: 'pods' }, () => k.core.listPodForAllNamespaces(sel))
        : await k.call({ verb: 'list', resource: 'pods', namespace: ns }, () =>
            k.core.listNamespacedPod({ namespace: ns, ...sel }),
          );
    for (const p of list.items) {
      const pns = p.metadata?.namespace ?? '';
      if (regex && !regex.matcher(pns).matches()) continue;
      // The same safety as every turbulence Kubernetes target: protected namespaces and the opt-in label.
      if (namespaceRefusal(pns, undefined) !== undefined || !optedIn(p)) continue;
      found.set(key(p), p);
    }
  }
  return [...found.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

function podProperty(p: V1Pod, name: string): string {
  if (name === 'name') return p.metadata?.name ?? '';
  if (name === 'namespace') return p.metadata?.namespace ?? '';
  if (name === 'state') return p.status?.phase ?? '';
  return String((p.metadata?.labels ?? {})[name] ?? '');
}

function applyFilters(pods: V1Pod[], filters: Obj[], rng: Rng, now: Date): { pods: V1Pod[]; why?: string } {
  let set = pods;
  for (const f of filters) {
    if (f.property) {
      const pr = f.property as { name: string; value: string; negative?: boolean };
      // Python's re.match, as PowerfulSeal: anchored at the start. RE2: a policy's regex cannot blow up.
      const re = RE2JS.compile(`^(?:${pr.value})`);
      set = set.filter((p) => re.matcher(podProperty(p, pr.name)).find() !== (pr.negative ?? false));
    } else if (f.randomSample) {
      const rs = f.randomSample as { size?: number; ratio?: number };
      const n = rs.size ?? Math.floor(set.length * (rs.ratio ?? 1));
      set = shuffle(set, rng).slice(0, n);
    } else if (typeof f.probability === 'number') {
      if (!rng.chance(f.probability)) return { pods: [], why: `probability ${f.probability} not passed` };
    } else if (f.dayTime) {
      if (!inDayTime(f.dayTime as Obj, now)) {
        return { pods: [], why: `outside the dayTime window (time zone ${timeZoneName()})` };
      }
    }
  }
  return { pods: set };
}

/** The process's time zone, in which dayTime windows are read (PowerfulSeal used local time too). */
export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

async function podAction(step: Obj, ctx: ProviderContext, k: KubeClient, out: SealRunOutput): Promise<void> {
  const retries = (step.retries ?? {}) as {
    retriesCount?: { count: number; sleep?: number };
    retriesTimeout?: { timeout: number; sleep?: number };
  };
  const started = Date.now();
  const maxTries = retries.retriesCount ? retries.retriesCount.count + 1 : retries.retriesTimeout ? Infinity : 1;
  const pause = (retries.retriesCount?.sleep ?? retries.retriesTimeout?.sleep ?? 1) * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await podActionOnce(step, ctx, k, out);
      return;
    } catch (err) {
      const timedOut = retries.retriesTimeout ? Date.now() - started >= retries.retriesTimeout.timeout * 1000 : true;
      if (attempt >= maxTries || (retries.retriesTimeout && timedOut) || ctx.signal.aborted) throw err;
      await sleep(pause, ctx.signal);
    }
  }
}

async function podActionOnce(step: Obj, ctx: ProviderContext, k: KubeClient, out: SealRunOutput): Promise<void> {
  const matched = await matchPods(k, (step.matches ?? []) as Obj[]);
  const filtered = applyFilters(matched, (step.filters ?? []) as Obj[], ctx.rng, new Date());
  const { pods } = filtered;
  const why =
    matched.length === 0
      ? `no pod matched (pods need the ${KUBE_OPT_IN}=true label or annotation, outside protected namespaces)`
      : filtered.why;
  const entry: SealRunOutput['steps'][number] = {
    step: 'podAction',
    matched: matched.length,
    selected: pods.map(key),
    killed: [],
    ...(why ? { detail: why } : {}),
  };
  out.steps.push(entry);
  for (const action of (step.actions ?? []) as Obj[]) {
    if ('kill' in action) {
      const kill = (action.kill ?? {}) as { probability?: number; force?: boolean };
      for (const p of pods) {
        if (!ctx.rng.chance(kill.probability ?? 1)) continue;
        if (!ctx.faults) throw activityFailed('podAction kill needs a run');
        await ctx.faults.inject(
          {
            kind: 'pod.delete',
            target: { namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' },
            params: { gracePeriod: 0, force: kill.force ?? false },
          },
          { activity: (ctx as ProviderContext & { activity?: string }).activity ?? '' },
        );
        entry.killed?.push(key(p));
      }
    } else if ('wait' in action) {
      await sleep(((action.wait as { seconds?: number }).seconds ?? 0) * 1000, ctx.signal);
    } else if ('checkPodState' in action) {
      const want = (action.checkPodState as { state: string }).state;
      const bad = pods.filter((p) => p.status?.phase !== want);
      if (bad.length > 0) {
        throw activityFailed(`checkPodState: ${bad.length} pod(s) not ${want}: ${bad.map(key).slice(0, 5).join(', ')}`);
      }
    } else if ('checkPodCount' in action) {
      const want = (action.checkPodCount as { count: number }).count;
      if (pods.length !== want) throw activityFailed(`checkPodCount: ${pods.length} pod(s), expected ${want}`);
    }
  }
}

async function probeHttp(step: Obj, ctx: ProviderContext, k: KubeClient, out: SealRunOutput): Promise<void> {
  const target = step.target as {
    url?: string;
    service?: { name: string; namespace: string; port?: number; protocol?: string };
  };
  let base = target.url ?? '';
  if (target.service) {
    const s = target.service;
    const svc = await k.call({ verb: 'get', resource: 'services', namespace: s.namespace, name: s.name }, () =>
      k.core.readNamespacedService({ name: s.name, namespace: s.namespace }),
    );
    base = `${s.protocol ?? 'http'}://${svc.spec?.clusterIP}:${s.port ?? 80}`;
  }
  const url = `${base}${(step.endpoint as string | undefined) ?? ''}`;
  const method = (typeof step.method === 'string' ? step.method : 'get').toUpperCase();
  const want = (step.code as number | undefined) ?? 200;
  const count = (step.count as number | undefined) ?? 1;
  const retries = (step.retries as number | undefined) ?? 3;
  const headers = Object.fromEntries(
    ((step.headers ?? []) as { name: string; value: string }[]).map((h) => [h.name, h.value]),
  );
  for (let i = 0; i < count; i++) {
    let last = '';
    let ok = false;
    for (let attempt = 0; attempt < retries && !ok; attempt++) {
      if (attempt > 0) await sleep((step.delay as number | undefined) ?? 100, ctx.signal);
      try {
        const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout((step.timeout as number | undefined) ?? 1000)]);
        const body = step.body as string | undefined;
        const res = await fetch(url, { method, headers, signal, ...(body !== undefined ? { body } : {}) });
        await res.arrayBuffer();
        ok = res.status === want;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = errorMessage(err);
      }
    }
    if (!ok) throw activityFailed(`probeHTTP ${method} ${url}: ${last} (expected ${want})`);
  }
  out.steps.push({ step: 'probeHTTP', detail: `${count} × ${method} ${url} → ${want}` });
}

function kubectl(binary: string, args: string[], input: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'ignore', 'pipe'], signal });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(activityFailed(`kubectl ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}

async function runSteps(p: PowerfulSealProvider, ctx: ProviderContext): Promise<SealRunOutput> {
  if (ctx.signal.aborted) throw activityFailed('interrupted before the PowerfulSeal run started');
  const sc = p.scenarios.length === 1 ? p.scenarios[0] : p.scenarios[ctx.rng.int(p.scenarios.length)];
  if (!sc) throw activityFailed('no scenario to run');
  let waited = 0;
  if (p.betweenRuns) {
    const [min, max] = p.betweenRuns;
    waited = min + ctx.rng.next() * Math.max(0, max - min);
    await sleep(waited * 1000, ctx.signal);
  }
  const out: SealRunOutput = { scenario: sc.name, waitedSeconds: Math.round(waited * 1000) / 1000, steps: [] };
  let client: KubeClient | undefined;
  const k = () => (client ??= kubeClient()); // only steps that talk to the cluster need a kubeconfig
  const cleanup: { binary: string; payload: string }[] = [];
  try {
    for (const step of sc.steps) {
      if (ctx.signal.aborted) throw activityFailed('interrupted');
      if (step.podAction) await podAction(step.podAction as Obj, ctx, k(), out);
      else if (step.labelMode) out.steps.push(await labelModePass(String((step.labelMode as Obj).namespace), ctx, k()));
      else if (step.probeHTTP) await probeHttp(step.probeHTTP as Obj, ctx, k(), out);
      else if (step.wait) {
        const s = (step.wait as { seconds?: number }).seconds ?? 0;
        await sleep(s * 1000, ctx.signal);
        out.steps.push({ step: 'wait', detail: `${s}s` });
      } else if (step.nodeAction) {
        // Only `wait` actions get here: node stop/start/execute are refused when the policy is validated.
        for (const a of ((step.nodeAction as Obj).actions ?? []) as Obj[]) {
          await sleep(((a.wait as { seconds?: number } | undefined)?.seconds ?? 0) * 1000, ctx.signal);
        }
        out.steps.push({ step: 'nodeAction', detail: 'wait' });
      } else if (step.kubectl) {
        const kc = step.kubectl as { action: string; payload: string; autoDelete?: boolean; kubectlBinary?: string };
        const binary = kc.kubectlBinary ?? 'kubectl';
        await kubectl(binary, [kc.action, '-f', '-'], kc.payload, ctx.signal);
        if (kc.action === 'apply' && kc.autoDelete !== false) cleanup.push({ binary, payload: kc.payload });
        out.steps.push({ step: 'kubectl', detail: kc.action });
      }
    }
  } finally {
    // autoDelete: what the scenario applied is deleted at its end, whatever happened.
    for (const c of cleanup.reverse()) {
      await kubectl(c.binary, ['delete', '--ignore-not-found', '-f', '-'], c.payload, AbortSignal.timeout(60_000));
    }
  }
  return out;
}

/** The `powerfulseal` provider definition. */
export const powerfulSealProvider: ProviderDefinition<PowerfulSealProvider> = {
  type: 'powerfulseal',
  schema: powerfulSealProviderSchema,
  substitute: [],
  run: (p, ctx) => runSteps(p, ctx),
  describe: (p) =>
    p.scenarios.length === 1
      ? `PowerfulSeal scenario "${p.scenarios[0]?.name}"`
      : `a random one of ${p.scenarios.length} PowerfulSeal scenarios`,
};
