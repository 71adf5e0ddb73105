/**
 * @module Types of the failpoint explorer: a scenario runs a system once under one fault schedule and says which
 * invariants broke; the explorer enumerates schedules, runs them and reports every one that broke something,
 * with a token that replays it.
 */

/** One fault schedule: which instance gets which failpoint actions, under which seed. */
export interface Schedule {
  /** `sys-3` or `rnd-1`: position in this exploration (`replay` for a schedule given as a replay token). */
  id: string;
  /** How the schedule came to be: enumerated, drawn at random, or given with `--replay`. */
  phase: 'systematic' | 'random' | 'replay';
  /** Goes into `TURBULENCE_SEED` of every process and seeds the scenario's own randomness. */
  seed: number;
  /** The instance whose failpoints are set. */
  instance: string;
  /** The `TURBULENCE_FAILPOINTS` value for that instance, e.g. `prepare.acked=1*panic`. */
  failpoints: string;
}

/** What one run of a scenario observed. */
export interface RunOutcome {
  /** Broken invariants, one sentence each; empty when the system ended in a good state. */
  violations: string[];
  /** Whether the scheduled fault actually fired (a crash happened). */
  faulted?: boolean;
  /** The failpoints that fired, in order, when the scenario can tell (e.g. from `failpoint X panicked` lines). */
  fired?: string[];
  /** Free text for the report (final states, timings). */
  detail?: string;
}

/**
 * A system the explorer can run many times. The example in `examples/two-phase-rotation/` is one.
 *
 * @example
 * const scenario: Scenario = {
 *   name: 'rotation', instances: ['a', 'b', 'c'], failpoints: ['prepare.acked', 'commit.received'],
 *   run: async (schedule, signal) => ({ violations: await rotateOnce(schedule, signal) }),
 * };
 */
export interface Scenario {
  readonly name: string;
  readonly instances: readonly string[];
  readonly failpoints: readonly string[];
  /** Runs the system once under `schedule`; must clean up everything it started before resolving. */
  run(schedule: Schedule, signal: AbortSignal): Promise<RunOutcome>;
}

/** A schedule that broke an invariant. */
export interface Finding {
  schedule: Schedule;
  violations: string[];
  /** Pass to `turbulence explore SCENARIO --replay TOKEN` (or {@link ExploreOptions.replay}) to run it again. */
  replay: string;
  detail?: string;
  /** The failpoints that fired in the run that broke the invariant (when the scenario reports them). */
  fired?: string[];
  /** Runs of this schedule that broke an invariant, out of {@link Finding.attempts} (the first run included). */
  reproduced: number;
  /** Runs of this schedule: the first plus {@link ExploreOptions.confirm} replays. */
  attempts: number;
  /**
   * `deterministic` when every run broke the invariant; `race` when only some did: the schedule alone does not
   * decide the outcome, timing does (still a bug, but not one this token replays every time).
   */
  verdict: 'deterministic' | 'race';
}

/** How to explore. */
export interface ExploreOptions {
  /** Seed of the exploration; each schedule derives its own. Default: a new one. */
  seed?: number;
  /** Crash at the 1st..hits-th hit of each failpoint in the systematic phase. Default 1. */
  hits?: number;
  /** Number of random schedules after the systematic phase. Default 0. */
  random?: number;
  /** Probability (0..1] per failpoint hit in the random phase. Default 0.2. */
  probability?: number;
  /** The action a schedule sets. Default `panic` (crash the instance). */
  task?: string;
  /** Explore only these instances (a subset of the scenario's). */
  instances?: readonly string[];
  /** Explore only these failpoints (a subset of the scenario's). */
  failpoints?: readonly string[];
  /** Run only this schedule (a {@link Finding.replay} token). */
  replay?: string;
  /** Replays of every finding before it is reported, to tell deterministic findings from races. Default 3. */
  confirm?: number;
  /** Schedules run at once (each must be independent of the others: own directories, ports 0). Default 1. */
  concurrency?: number;
  /** Stop after this many schedules. */
  maxSchedules?: number;
  /** Aborts the exploration between schedules (and is passed to the scenario). */
  signal?: AbortSignal;
  /** Called after each schedule (the CLI prints progress from it). */
  onSchedule?: (schedule: Schedule, outcome: RunOutcome) => void;
  /** Called after each confirming replay of a finding (`attempt` counts from 2: the first run was the schedule). */
  onConfirm?: (schedule: Schedule, attempt: number, outcome: RunOutcome) => void;
}

/** The result of an exploration. */
export interface ExploreReport {
  scenario: string;
  seed: number;
  schedules: number;
  /** Schedules whose fault fired. */
  faulted: number;
  findings: Finding[];
}
