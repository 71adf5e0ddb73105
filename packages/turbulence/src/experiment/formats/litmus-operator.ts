/**
 * `turbulence operator`: Litmus's chaos operator, in one process. It lists the ChaosEngines of a namespace every
 * interval and runs each new active one with the same translator and runner as `turbulence run` (its
 * ChaosExperiments from the same namespace, as Litmus reads them, else from `--hub`), then writes the engine's
 * status (`engineStatus: initialized → completed | stopped`, `experiments[]` with their verdicts) and one
 * ChaosResult per fault. `engineState: stop` on a running engine stops its run (faults reverted, verdict Stopped).
 * An engine is run once: its `status.engineStatus` says it was.
 */
import { errorMessage } from '../../core/errors.js';
import { kubeClient, type KubeClient } from '../../os/kube.js';
import { RunEvents } from '../events.js';
import { runExperiment } from '../run.js';
import type { Journal } from '../journal.js';
import { LITMUS_API, patchEngineStatus, watchEngineStop, writeChaosResults } from './litmus-cluster.js';
import { translateLitmus, type LitmusDoc } from './litmus.js';
import { litmusExtension, litmusVerdicts } from './verdicts.js';

type Obj = Record<string, unknown>;
const { group, version } = LITMUS_API;

/** Options of {@link runOperator}. */
export interface OperatorOptions {
  namespace: string;
  /** ChaosExperiment files (a hub folder) for the experiments the namespace lacks. */
  hubDefinitions?: { value: Obj; file: string }[];
  /** Milliseconds between two looks at the engines. */
  intervalMs?: number;
  /** Run what is pending once, then return (for jobs and tests). */
  once?: boolean;
  /** Stops the loop (and the runs in progress, which revert). */
  signal?: AbortSignal;
  /** Each thing the operator does, as a line. */
  log?: (line: string) => void;
  /** Each finished run's journal. */
  onJournal?: (engine: string, journal: Journal) => void;
  cluster?: KubeClient;
}

async function list(k: KubeClient, namespace: string, plural: string): Promise<Obj[]> {
  const res = (await k.call({ verb: 'list', resource: plural, group, namespace }, () =>
    k.custom.listNamespacedCustomObject({ group, version, namespace, plural }),
  )) as { items?: Obj[] };
  return res.items ?? [];
}

const meta = (o: Obj) => (o.metadata ?? {}) as { name?: string; namespace?: string };

/** Runs the operator loop until `signal` (or, with `once`, until the pending engines are done). */
export async function runOperator(opts: OperatorOptions): Promise<void> {
  const k = opts.cluster ?? kubeClient();
  const log = opts.log ?? (() => undefined);
  const every = opts.intervalMs ?? 2000;
  log(`watching ChaosEngines in namespace ${opts.namespace} (${k.server})`);
  while (!opts.signal?.aborted) {
    const engines = await list(k, opts.namespace, LITMUS_API.engines);
    for (const engine of engines) {
      if (opts.signal?.aborted) break;
      const status = (engine.status ?? {}) as Obj;
      const state = ((engine.spec ?? {}) as Obj).engineState ?? 'active';
      if (status.engineStatus !== undefined && status.engineStatus !== 'initialized') continue;
      const name = meta(engine).name ?? '';
      if (state !== 'active') {
        await patchEngineStatus(k, opts.namespace, name, { engineStatus: 'stopped' });
        log(`${name}: engineState ${typeof state === 'string' ? state : '?'}: not run`);
        continue;
      }
      await runEngine(k, engine, opts, log);
    }
    if (opts.once) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, every);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

async function runEngine(k: KubeClient, engine: Obj, opts: OperatorOptions, log: (l: string) => void): Promise<void> {
  const name = meta(engine).name ?? '';
  const ns = opts.namespace;
  await patchEngineStatus(k, ns, name, { engineStatus: 'initialized' });
  const definitions = await list(k, ns, LITMUS_API.experiments);
  const docs: LitmusDoc[] = [engine, ...definitions].map((value, index) => ({ value, index }));
  const { experiment, problems } = translateLitmus(docs, `chaosengine/${ns}/${name}`, opts.hubDefinitions ?? []);
  const now = () => new Date().toISOString();
  if (!experiment) {
    const why = problems.map((p) => `${p.path.join('.')}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`).join('; ');
    log(`${name}: not run: ${why}`);
    const names = (((engine.spec ?? {}) as Obj).experiments ?? []) as { name?: string }[];
    await patchEngineStatus(k, ns, name, {
      engineStatus: 'completed',
      experiments: names.map((e) => ({
        name: e.name ?? '',
        runner: 'turbulence',
        status: 'Error',
        verdict: 'Error',
        message: why,
        lastUpdateTime: now(),
      })),
    });
    return;
  }
  const ext = litmusExtension(experiment);
  const stop = new AbortController();
  const unwatch = watchEngineStop(k, ns, name, () => stop.abort('the ChaosEngine was set to engineState: stop'));
  log(`${name}: running ${experiment.method.length} activities`);
  let journal: Journal;
  try {
    ({ journal } = await runExperiment(experiment, {
      events: new RunEvents(),
      signal: opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal,
    }));
  } catch (err) {
    unwatch();
    log(`${name}: the run broke: ${errorMessage(err)}`);
    await patchEngineStatus(k, ns, name, { engineStatus: 'completed' });
    return;
  }
  unwatch();
  const results = ext ? litmusVerdicts(ext, journal) : undefined;
  if (results) journal.litmus = results;
  opts.onJournal?.(name, journal);
  const stopped = stop.signal.aborted;
  const patchError = await patchEngineStatus(k, ns, name, {
    engineStatus: stopped ? 'stopped' : 'completed',
    experiments: (results?.results ?? []).map((r) => ({
      name: r.fault,
      runner: 'turbulence',
      status: r.verdict === 'Stopped' ? 'Stopped' : 'Completed',
      verdict: r.verdict,
      lastUpdateTime: now(),
    })),
  });
  if (patchError) log(`${name}: status not written: ${patchError}`);
  if (results) {
    const { written, note } = await writeChaosResults(k, ns, results);
    log(
      `${name}: ${results.results.map((r) => `${r.fault} ${r.verdict}`).join(', ')}; resilience score ${results.resilienceScore}%` +
        (written.length > 0 ? `; ChaosResult ${written.join(', ')}` : '') +
        (note ? `; ${note}` : ''),
    );
  }
}
