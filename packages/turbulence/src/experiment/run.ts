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
 *   controls: after experiment, cleanup → journal
 *
 * The runner never prints: everything is a {@link RunEvent}. Interrupts arrive through `options.signal`.
 */
import { hostname, platform, release, arch } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ErrorCodes, errorMessage, isTurbulenceError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { Rng, newSeed } from '../core/rng.js';
import type { BlastRadius } from '../core/fault.js';
import { FaultManager } from '../faults/manager.js';
import { VERSION } from '../version.js';
import { subst } from './activity.js';
import { buildRefCache, type RunContext } from './context.js';
import { Controls } from './controls.js';
import { RunEvents } from './events.js';
import { probeErrored, runHypothesis } from './hypothesis.js';
import { timestamp, toJsonSafe, type Journal } from './journal.js';
import { runMethod } from './method.js';
import { decideRollbacks, hypothesisSchedule, runExitCode, type RunStatus } from './policy.js';
import { RunState } from './state.js';
import { startAbortConditions, startDuringHypothesis, type Watcher } from './watchers.js';
import { runCleanupActivity, runRollbacks } from './rollbacks.js';
import { loadDynamicConfiguration } from './dynamic.js';
import { attachFaultJournal } from './faults.js';
import { resolveConfiguration } from './configuration.js';
import type { Overrides } from './vars.js';
import type { Activity, DryMode, Experiment, HypothesisStrategy, RollbackStrategy } from './types.js';
import { setLongTimeout } from '../core/long-timer.js';

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
 * events.on((e) => e.type === 'activity-completed' && console.log(e.record.activity.name));
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
  const journal = initialJournal(experiment, { runId, seed, strict, dry: options.dry });
  const state = new RunState(journal, events);
  const onInterrupt = () => state.interrupt(`interrupted (${String(options.signal?.reason ?? 'signal')})`);
  if (options.signal?.aborted) onInterrupt();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  const { configuration, secrets, dynamic } = resolveConfiguration(experiment, options.overrides);
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
  const detachFaults = attachFaultJournal(faults, journal, events);
  await loadDynamicConfiguration(ctx, dynamic);
  experiment.title = String(subst(ctx, experiment.title));
  journal.experiment.title = experiment.title;

  events.emit({ type: 'run-started', runId, title: experiment.title, seed, dry: options.dry ?? null, strict });
  const controls = new Controls(ctx, experiment);
  await controls.init();
  let reverts: Activity[] = [];
  try {
    await controls.run('before', 'experiment', experiment);
    reverts = await runPhases(ctx, state, controls, journal, options);
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
  for (const r of reverts) {
    await runCleanupActivity(cleanCtx, r, 'revert', journal.reverts);
  }
  const decision = decideRollbacks(
    rollbackStrategyOf(experiment, options),
    state.status ?? 'completed',
    state.deviated,
  );
  journal.rollbacks_decision = decision;
  events.emit({ type: 'rollbacks-decision', decision });
  if (decision.run && (experiment.rollbacks?.length ?? 0) > 0) {
    await runRollbacks(cleanCtx, experiment.rollbacks ?? [], controls, journal.rollbacks);
  }
  options.hardSignal?.removeEventListener('abort', onHard);
  options.signal?.removeEventListener('abort', onInterrupt);
  detachFaults();
  faults.dispose();

  const status: RunStatus = state.status ?? 'completed';
  journal.status = status;
  journal.deviated = state.deviated;
  journal.end = timestamp();
  journal.duration = (Date.now() - startedAt) / 1000;
  try {
    await controls.run('after', 'experiment', experiment, journal);
    await controls.cleanup();
  } catch (err) {
    events.emit({ type: 'warning', message: `control failed after the run: ${errorMessage(err)}` });
  }
  const exitCode = runExitCode(status, state.deviated, strict && journal.steady_state_gate === 'not-met');
  events.emit({ type: 'run-completed', status, deviated: state.deviated, journal, exitCode });
  return { journal, exitCode };
}

/** Hypothesis before, method with its watchers, hypothesis after. Returns the per-action reverts to run. */
async function runPhases(
  ctx: RunContext,
  state: RunState,
  controls: Controls,
  journal: Journal,
  options: RunOptions,
): Promise<Activity[]> {
  const hypothesis = ctx.experiment['steady-state-hypothesis'];
  const strategy = hypothesisStrategyOf(ctx.experiment, options);
  const schedule = hypothesisSchedule(strategy, (hypothesis?.probes?.length ?? 0) > 0);
  const frequencyMs = (options.hypothesisFrequency ?? ctx.experiment.runtime?.hypothesis?.frequency ?? 1) * 1000;
  const failFast = options.failFast ?? ctx.experiment.runtime?.hypothesis?.['fail-fast'] ?? false;

  if (hypothesis && schedule.before && !state.stopped) {
    await controls.run('before', 'hypothesis', hypothesis, undefined, hypothesis.controls);
    const before = await runHypothesis(ctx, hypothesis, 'hypothesis-before');
    await controls.run('after', 'hypothesis', hypothesis, before, hypothesis.controls);
    journal.steady_states.before = before;
    journal.steady_state_gate = before.steady_state_met ? 'met' : 'not-met';
    if (!before.steady_state_met) {
      if (!state.stopped) state.status = probeErrored(before) || ctx.strict ? 'failed' : 'completed';
      return [];
    }
  }
  if (state.stopped) return [];

  const watchers: Watcher[] = [];
  if (hypothesis && schedule.during) {
    watchers.push(
      startDuringHypothesis(ctx, hypothesis, state, journal.steady_states.during, { frequencyMs, failFast }),
    );
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
    reverts = await runMethod(ctx, ctx.experiment.method, state, controls, journal.run);
  } finally {
    for (const w of watchers) await w.stop();
    maxTimer?.clear();
  }

  if (hypothesis && schedule.after && state.status !== 'interrupted' && state.status !== 'aborted') {
    await controls.run('before', 'hypothesis', hypothesis, undefined, hypothesis.controls);
    const after = await runHypothesis(ctx, hypothesis, 'hypothesis-after');
    await controls.run('after', 'hypothesis', hypothesis, after, hypothesis.controls);
    journal.steady_states.after = after;
    if (!after.steady_state_met) {
      state.deviated = true;
      if (state.status !== 'failed') state.status = probeErrored(after) ? 'failed' : 'completed';
    }
  }
  return reverts;
}

function initialJournal(
  experiment: Experiment,
  meta: { runId: string; seed: number; strict: boolean; dry: DryMode | undefined },
): Journal {
  return {
    'chaoslib-version': '1.45.0',
    'turbulence-version': VERSION,
    platform: `${platform()}-${release()}-${arch()}`,
    node: hostname(),
    run_id: meta.runId,
    seed: meta.seed,
    strict: meta.strict,
    experiment: { ...(toJsonSafe(experiment) as Experiment), dry: meta.dry ?? null },
    start: timestamp(),
    end: null,
    duration: null,
    status: null,
    deviated: false,
    steady_state_gate: 'skipped',
    steady_states: { before: null, after: null, during: [] },
    run: [],
    reverts: [],
    rollbacks: [],
    rollbacks_decision: null,
    faults: [],
    abort: null,
  };
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
