/**
 * Resilience scores, with their formulas stated (the reports print {@link SCORE_FORMULA} and
 * {@link PROBE_FORMULA} beside the numbers):
 *
 * - per run, Gremlin's scenario score: passed 100, stopped or expired (aborted, interrupted) 75, failed 50
 *   (failed, deviated, or the steady state was not met before the method), not run 0 (still running, or dry);
 * - per run, Litmus's probe success: the percentage of tolerance checks that were met;
 * - across runs, the mean of the run scores, and Litmus's weighted resilience score Σ(wᵢ·pᵢ)/Σwᵢ over the runs'
 *   probe success pᵢ, each run weighing wᵢ = 1.
 *
 * Pure.
 */

/** A run's Gremlin-style score. */
export interface RunScore {
  value: 0 | 50 | 75 | 100;
  /** `passed`, `stopped`, `failed` or `not run`. */
  outcome: 'passed' | 'stopped' | 'failed' | 'not run';
}

/** Litmus-style probe success of one run: null percent when no probe had a tolerance. */
export interface ProbeSuccess {
  met: number;
  checked: number;
  percent: number | null;
}

export const SCORE_FORMULA =
  'run score (Gremlin): passed 100, stopped/expired (aborted, interrupted) 75, failed (failed, deviated, steady state not met before) 50, not run (running, dry) 0';
export const PROBE_FORMULA =
  'probe success (Litmus): tolerance checks met ÷ checked × 100; across runs Σ(wᵢ·pᵢ)/Σwᵢ with wᵢ = 1';

/**
 * The score of a run from its journal's status.
 *
 * @example
 * gremlinScore('completed', false, false, null); // { value: 100, outcome: 'passed' }
 */
export function gremlinScore(status: string, deviated: boolean, gateNotMet: boolean, dry: unknown): RunScore {
  if (status === 'running' || (typeof dry === 'string' && dry !== 'pause')) return { value: 0, outcome: 'not run' };
  if (status === 'aborted' || status === 'interrupted') return { value: 75, outcome: 'stopped' };
  if (status === 'completed' && !deviated && !gateNotMet) return { value: 100, outcome: 'passed' };
  return { value: 50, outcome: 'failed' };
}

/** Probe success over rows that carry a tolerance verdict. */
export function probeSuccess(rows: readonly { toleranceMet: boolean | null }[]): ProbeSuccess {
  const checked = rows.filter((r) => r.toleranceMet !== null);
  const met = checked.filter((r) => r.toleranceMet === true).length;
  return {
    met,
    checked: checked.length,
    percent: checked.length === 0 ? null : Math.round((met / checked.length) * 1000) / 10,
  };
}

/** Scores across runs: the mean run score and the weighted probe success (null when no run had probes). */
export function aggregateScore(runs: readonly { score: RunScore; probes: ProbeSuccess }[]): {
  mean: number;
  probeWeighted: number | null;
} {
  const mean = runs.length === 0 ? 0 : runs.reduce((s, r) => s + r.score.value, 0) / runs.length;
  const withProbes = runs.filter((r) => r.probes.percent !== null);
  const probeWeighted =
    withProbes.length === 0 ? null : withProbes.reduce((s, r) => s + r.probes.percent!, 0) / withProbes.length;
  return {
    mean: Math.round(mean * 10) / 10,
    probeWeighted: probeWeighted === null ? null : Math.round(probeWeighted * 10) / 10,
  };
}
