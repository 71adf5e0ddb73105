/**
 * The run's decision tables, as plain functions over plain data (no I/O):
 *
 * - which hypothesis phases a strategy runs (Chaos Toolkit §11);
 * - whether global rollbacks run, and why (Chaos Toolkit §13, with the reason recorded in the journal);
 * - the exit code of a finished run.
 *
 * Rollbacks decision table (status × deviated × strategy → run?):
 *
 *   strategy   │ completed │ completed+deviated │ failed │ aborted │ interrupted
 *   ───────────┼───────────┼────────────────────┼────────┼─────────┼────────────
 *   default    │    yes    │        yes         │   no   │   yes   │     no
 *   always     │    yes    │        yes         │  yes   │   yes   │    yes
 *   never      │    no     │         no         │   no   │   no    │     no
 *   deviated   │    no     │        yes         │   no*  │   no*   │     no*
 *
 *   * `deviated` runs rollbacks whenever `deviated` is true, whatever the status.
 *
 * Faults injected through the fault registry and per-action `revert` activities are NOT governed by this table:
 * they are always undone (see docs/experiments.md, "What is always reverted").
 */
import type { DryMode, HypothesisStrategy, RollbackStrategy } from './types.js';

export type RunStatus = 'completed' | 'failed' | 'aborted' | 'interrupted';

/** Which hypothesis phases run under a strategy. */
export interface HypothesisSchedule {
  before: boolean;
  during: boolean;
  after: boolean;
}

const SCHEDULES: Record<HypothesisStrategy, HypothesisSchedule> = {
  default: { before: true, during: false, after: true },
  'before-method-only': { before: true, during: false, after: false },
  'after-method-only': { before: false, during: false, after: true },
  'during-method-only': { before: false, during: true, after: false },
  continuously: { before: true, during: true, after: true },
  skip: { before: false, during: false, after: false },
};

export const HYPOTHESIS_STRATEGIES = Object.keys(SCHEDULES) as HypothesisStrategy[];
export const ROLLBACK_STRATEGIES: readonly RollbackStrategy[] = ['default', 'always', 'never', 'deviated'];
export const DRY_MODES: readonly DryMode[] = ['probes', 'actions', 'activities', 'pause'];

/** Normalizes a strategy name (Chaos Toolkit's CLI also accepts the misspelling `continously`). */
export function parseHypothesisStrategy(name: string): HypothesisStrategy | undefined {
  const n = name === 'continously' ? 'continuously' : name;
  return (HYPOTHESIS_STRATEGIES as string[]).includes(n) ? (n as HypothesisStrategy) : undefined;
}

/** The phases a strategy runs; none when the experiment has no hypothesis probes. */
export function hypothesisSchedule(strategy: HypothesisStrategy, hasProbes: boolean): HypothesisSchedule {
  return hasProbes ? SCHEDULES[strategy] : SCHEDULES.skip;
}

/** The rollbacks decision, recorded in the journal as `rollbacks_decision`. */
export interface RollbacksDecision {
  strategy: RollbackStrategy;
  run: boolean;
  reason: string;
}

/** Decides whether global rollbacks run. `hardExit` is an ungraceful stop (Chaos Toolkit's SIGUSR2). */
export function decideRollbacks(
  strategy: RollbackStrategy,
  status: RunStatus,
  deviated: boolean,
  hardExit = false,
): RollbacksDecision {
  const d = (run: boolean, reason: string): RollbacksDecision => ({ strategy, run, reason });
  if (hardExit) return d(false, 'the run was stopped ungracefully: no rollbacks under any strategy');
  switch (strategy) {
    case 'never':
      return d(false, 'strategy "never" never plays rollbacks');
    case 'always':
      return d(true, 'strategy "always" always plays rollbacks');
    case 'deviated':
      return deviated
        ? d(true, 'strategy "deviated" and the steady state deviated after the method')
        : d(false, 'strategy "deviated" and the steady state did not deviate');
    case 'default':
      if (status === 'failed') return d(false, 'strategy "default" skips rollbacks when the run failed');
      if (status === 'interrupted') return d(false, 'strategy "default" skips rollbacks when the run was interrupted');
      return d(true, `strategy "default" plays rollbacks when the run is ${status}${deviated ? ' (deviated)' : ''}`);
  }
}

/** Exit code of a finished run: 0 completed and held, 1 deviated/failed/aborted, 130 interrupted. */
export function runExitCode(status: RunStatus, deviated: boolean, gateFailed = false): number {
  if (status === 'interrupted') return 130;
  if (status !== 'completed' || deviated || gateFailed) return 1;
  return 0;
}

/** Whether an activity of the given type executes under a dry mode. */
export function executesUnderDry(dry: DryMode | undefined, type: 'probe' | 'action'): boolean {
  if (dry === undefined || dry === 'pause') return true;
  if (dry === 'activities') return false;
  return dry === 'probes' ? type !== 'probe' : type !== 'action';
}

/** Whether pauses around an activity sleep under a dry mode. */
export function pausesUnderDry(dry: DryMode | undefined, type: 'probe' | 'action'): boolean {
  if (dry === 'pause') return false;
  return executesUnderDry(dry, type);
}

/** Whether hypothesis tolerances are checked under a dry mode. */
export function checksTolerancesUnderDry(dry: DryMode | undefined): boolean {
  return dry !== 'probes' && dry !== 'activities';
}
