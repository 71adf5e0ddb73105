/**
 * `runExperiment`: the run lifecycle, Chaos Toolkit §9 step for step, plus turbulence's guarantees.
 *
 *   configuration → secrets → dynamic configuration
 *   controls: configure, before experiment
 *   hypothesis BEFORE ──not met──▶ gate failed: the method does not run
 *        │ met
 *   method ◀── during-hypothesis loop, abort conditions, max duration (beside it)
 *   hypothesis AFTER ──not met──▶ deviated
 *   ALWAYS: faults injected by the run reverted (reverse order), per-action `revert`s (reverse order)
 *   rollbacks, if the decision table says so (recorded in the journal)
 *   controls: after experiment, cleanup
 *
 * The runner never prints and never writes the journal: everything is a {@link RunEvent}, and the journal is
 * built from them by a {@link JournalBuilder} listening on the same stream. Interrupts arrive through
 * `options.signal`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, errorMessage, isTurbulenceError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { Rng, newSeed } from '../core/rng.js';
import type { BlastRadius } from '../core/fault.js';
import { FaultManager } from '../faults/manager.js';
import { subst } from './activity.js';
import { buildRefCache, type RunContext } from './context.js';
import { Controls } from './controls.js';
import { RunEvents } from './events.js';
import { probeErrored, runHypothesis } from './hypothesis.js';
import { timestamp, toJsonSafe, type Journal, type RunRecord } from './journal.js';
import { JournalBuilder } from './journal-builder.js';
import { runMethod } from './method.js';
import { decideRollbacks, hypothesisSchedule, runExitCode, type RunStatus } from './policy.js';
import { RunState } from './state.js';
import { startAbortConditions, startDuringHypothesis, type Watcher } from './watchers.js';
import { runCleanupActivity, runRollbacks } from './rollbacks.js';
import { loadDynamicConfiguration } from './dynamic.js';
import { forwardFaultEvents } from './faults.js';
import { resolveConfiguration } from './configuration.js';
import type { Overrides } from './vars.js';
import type { Activity, Control, DryMode, Experiment, HypothesisStrategy, RollbackStrategy } from './types.js';
import { setLongTimeout } from '../core/long-timer.js';
import { holdPythonWorker } from '../providers/python/worker.js';

export interface RunOptions {
  /** Directory relative module paths resolve from (the experiment file's directory). */
  baseDir?: string;
  dry?: DryMode;
  rollbackStrategy?: RollbackStrategy;
  hypothesisStrategy?: HypothesisStrategy;
  /** Seconds between continuous hypothesis iterations (default 1). */
  hypothesisFrequency?: number;
  failFast?: boolean;
  seed?: number;
  strict?: boolean;
  /** `--var` / `--var-file` values (see `loadOverrides`); each replaces the experiment's definition of its key. */
  overrides?: Overrides;
  /** Blast radius overrides (CLI flags win over the experiment's `blast-radius`). */
  blastRadius?: BlastRadius;
  /** Interrupts the run (SIGINT/SIGTERM in the CLI): status `interrupted`. */
  signal?: AbortSignal;
  /** Hard stop (a second Ctrl-C): reverts are cut short; faults stay in the ledger for `turbulence recover`. */
  hardSignal?: AbortSignal;
  /** Event stream to emit on (a new one when absent). */
  events?: RunEvents;
  /** A journal builder already listening on `events` (e.g. the live journal file's); a new one when absent. */
  journal?: JournalBuilder;
  /** Global controls (Chaos Toolkit settings file `controls`, `--control-file`), applied before the experiment's. */
  controls?: Control[];
  /** Chaos Toolkit settings, passed to Python controls that declare `settings`. */
  settings?: Record<string, unknown>;
  /** Ledger directory override (tests); default `$TURBULENCE_HOME/ledger`. */
  home?: string;
}

export interface RunResult {
  journal: Journal;
  exitCode: number;
}

/**
 * Runs an experiment and returns its journal.
 *
 * @example
 * const loaded = await loadExperiment('experiment.yaml');
 * const events = new RunEvents();
 * events.on((e) => e.type === 'activity.finished' && console.log(e.record.activity.name));
 * const { journal, exitCode } = await runExperiment(loaded.experiment, { events, baseDir: loaded.baseDir });
 */
export async function runExperiment(source: Experiment, options: RunOptions = {}): Promise<RunResult> {
  const experiment = structuredClone(source);
  const events = options.events ?? new RunEvents();
  const seed = options.seed ?? newSeed();
  const rng = new Rng(seed);
  const runId = randomUUID();
  const strict = options.strict ?? experiment.runtime?.strict === true;
  const startedAt = Date.now();
  const start = timestamp(startedAt);
  const snapshot = toJsonSafe(experiment) as Experiment;
  const builder = options.journal ?? new JournalBuilder();
  const unlisten = options.journal ? undefined : events.on(builder.listener);
  const state = new RunState(events);
  const onInterrupt = () => state.interrupt(`interrupted (${String(options.signal?.reason ?? 'signal')})`);
  if (options.signal?.aborted) onInterrupt();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  const releasePython = holdPythonWorker(); // one python3 worker for the whole run, stopped at its end
  try {
    return await runHeld(experiment, options, {
      events,
      seed,
      rng,
      runId,
      strict,
      startedAt,
      start,
      snapshot,
      builder,
      unlisten,
      state,
      onInterrupt,
    });
  } finally {
    releasePython();
  }
}

interface Held {
  events: RunEvents;
  seed: number;
  rng: Rng;
  runId: string;
  strict: boolean;
  startedAt: number;
  start: string;
  snapshot: Experiment;
  builder: JournalBuilder;
  unlisten: (() => void) | undefined;
  state: RunState;
  onInterrupt: () => void;
}

async function runHeld(experiment: Experiment, options: RunOptions, held: Held): Promise<RunResult> {
  const { events, seed, rng, runId, strict, startedAt, start, snapshot, builder, unlisten, state, onInterrupt } = held;
  const { configuration, secrets, dynamic, dropped } = resolveConfiguration(experiment, options.overrides);
  const faults = new FaultManager({
    rng: rng.fork('faults'),
    runId,
    blastRadius: blastRadiusOf(experiment, options.blastRadius),
    ...(options.home ? { home: options.home } : {}),
  });
  const ctx: RunContext = {
    experiment,
    baseDir: options.baseDir ?? process.cwd(),
    configuration,
    secrets,
    steps: new Map(),
    dry: options.dry,
    strict,
    rng,
    events,
    faults,
    signal: state.controller.signal,
    refs: buildRefCache(experiment),
  };
  const detachFaults = forwardFaultEvents(faults, events);
  await loadDynamicConfiguration(ctx, dynamic);
  experiment.title = String(subst(ctx, experiment.title));

  events.emit({
    type: 'run.started',
    runId,
    title: experiment.title,
    seed,
    dry: options.dry ?? null,
    strict,
    start,
    experiment: snapshot,
  });
  if (dropped && dropped.length > 0) {
    events.emit({
      type: 'run.warning',
      message: `--var/--var-file ${dropped.map((k) => `"${k}"`).join(', ')} ignored: the experiment's configuration does not declare ${dropped.length === 1 ? 'it' : 'them'} (Chaos Toolkit drops undeclared keys too); declared keys: ${Object.keys(experiment.configuration ?? {}).join(', ') || '(none)'}`,
    });
  }
  const controls = new Controls(ctx, experiment, options.controls, options.settings);
  await controls.init();
  let reverts: Activity[] = [];
  try {
    await controls.run('before', 'experiment', experiment);
    reverts = await runPhases(ctx, state, controls, options);
  } catch (err) {
    if (isTurbulenceError(err, ErrorCodes.INTERRUPTED)) state.interrupt(err.message);
    else state.abort(`the run broke: ${errorMessage(err)}`);
  }

  // Cleanup runs on its own signal: an interrupted or aborted run must still put everything back.
  const cleanup = new AbortController();
  const onHard = () => cleanup.abort();
  options.hardSignal?.addEventListener('abort', onHard, { once: true });
  const cleanCtx: RunContext = { ...ctx, signal: cleanup.signal, faults: undefined };
  await faults.revertAll(revertReason(state.status));
  const revertRecords: RunRecord[] = [];
  for (const r of reverts) {
    await runCleanupActivity(cleanCtx, r, 'revert', revertRecords);
  }
  const decision = decideRollbacks(
    rollbackStrategyOf(experiment, options),
    state.status ?? 'completed',
    state.deviated,
  );
  events.emit({ type: 'rollbacks.decided', decision });
  if (decision.run && (experiment.rollbacks?.length ?? 0) > 0) {
    await runRollbacks(cleanCtx, experiment.rollbacks ?? [], controls, []);
  }
  options.hardSignal?.removeEventListener('abort', onHard);
  options.signal?.removeEventListener('abort', onInterrupt);
  detachFaults();
  faults.dispose();

  const status: RunStatus = state.status ?? 'completed';
  events.emit({ type: 'run.ended', status, deviated: state.deviated, duration: (Date.now() - startedAt) / 1000 });
  const journal = builder.current as Journal;
  try {
    await controls.run('after', 'experiment', experiment, journal);
    await controls.cleanup();
  } catch (err) {
    events.emit({ type: 'run.warning', message: `control failed after the run: ${errorMessage(err)}` });
  }
  const exitCode = runExitCode(status, state.deviated, strict && state.gateNotMet);
  events.emit({ type: 'run.finished', status, deviated: state.deviated, journal, exitCode });
  unlisten?.();
  return { journal, exitCode };
}

/** Hypothesis before, method with its watchers, hypothesis after. Returns the per-action reverts to run. */
async function runPhases(
  ctx: RunContext,
  state: RunState,
  controls: Controls,
  options: RunOptions,
): Promise<Activity[]> {
  const hypothesis = ctx.experiment['steady-state-hypothesis'];
  const strategy = hypothesisStrategyOf(ctx.experiment, options);
  const schedule = hypothesisSchedule(strategy, (hypothesis?.probes?.length ?? 0) > 0);
  const frequencyMs = (options.hypothesisFrequency ?? ctx.experiment.runtime?.hypothesis?.frequency ?? 1) * 1000;
  const failFast = options.failFast ?? ctx.experiment.runtime?.hypothesis?.['fail-fast'] ?? false;

  if (hypothesis && schedule.before && !state.stopped) {
    await controls.run('before', 'hypothesis', hypothesis, undefined, hypothesis.controls);
    const before = await runHypothesis(ctx, hypothesis, 'hypothesis-before', undefined, controls);
    await controls.run('after', 'hypothesis', hypothesis, before, hypothesis.controls);
    if (!before.steady_state_met) {
      state.gateNotMet = true;
      if (!state.stopped) state.status = probeErrored(before) || ctx.strict ? 'failed' : 'completed';
      return [];
    }
  }
  if (state.stopped) return [];

  const watchers: Watcher[] = [];
  if (hypothesis && schedule.during) {
    watchers.push(startDuringHypothesis(ctx, hypothesis, state, { frequencyMs, failFast }));
  }
  const abortConditions = ctx.experiment['abort-conditions'];
  if (abortConditions && abortConditions.probes.length > 0 && ctx.dry !== 'activities' && ctx.dry !== 'probes') {
    watchers.push(startAbortConditions(ctx, abortConditions, state));
  }
  const maxDuration = ctx.experiment.runtime?.['max-duration'];
  const maxTimer =
    maxDuration === undefined
      ? undefined
      : setLongTimeout(
          () => state.abort(`the run exceeded its max-duration of ${String(maxDuration)}`),
          parseDuration(subst(ctx, maxDuration) as string | number, 'runtime.max-duration'),
        );

  let reverts: Activity[] = [];
  try {
    reverts = await runMethod(ctx, ctx.experiment.method, state, controls, []);
  } finally {
    for (const w of watchers) await w.stop();
    maxTimer?.clear();
  }

  if (hypothesis && schedule.after && state.status !== 'interrupted' && state.status !== 'aborted') {
    await controls.run('before', 'hypothesis', hypothesis, undefined, hypothesis.controls);
    const after = await runHypothesis(ctx, hypothesis, 'hypothesis-after', undefined, controls);
    await controls.run('after', 'hypothesis', hypothesis, after, hypothesis.controls);
    if (!after.steady_state_met) {
      state.deviated = true;
      if (state.status !== 'failed') state.status = probeErrored(after) ? 'failed' : 'completed';
    }
  }
  return reverts;
}

function hypothesisStrategyOf(experiment: Experiment, options: RunOptions): HypothesisStrategy {
  return options.hypothesisStrategy ?? experiment.runtime?.hypothesis?.strategy ?? 'default';
}

function rollbackStrategyOf(experiment: Experiment, options: RunOptions): RollbackStrategy {
  return options.rollbackStrategy ?? experiment.runtime?.rollbacks?.strategy ?? 'default';
}

function revertReason(status: RunStatus | null): string {
  if (status === 'interrupted') return 'interrupt';
  if (status === 'aborted') return 'abort';
  return 'run-end';
}

function blastRadiusOf(experiment: Experiment, override: BlastRadius | undefined): BlastRadius {
  const spec = experiment['blast-radius'] ?? {};
  const total = spec['max-total-fault-time'];
  return {
    ...(spec['max-targets'] === undefined ? {} : { maxTargets: spec['max-targets'] }),
    ...(spec['max-concurrent-faults'] === undefined ? {} : { maxConcurrentFaults: spec['max-concurrent-faults'] }),
    ...(total === undefined ? {} : { maxTotalFaultTimeMs: parseDuration(total, 'blast-radius.max-total-fault-time') }),
    ...override,
  };
}
