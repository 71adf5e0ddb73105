/**
 * The steady-state hypothesis (Chaos Toolkit §8): probes run one after the other; the first probe that fails or
 * misses its tolerance makes the hypothesis not met, and the remaining probes do not run.
 */
import { resolveActivity, type RunContext } from './context.js';
import { runActivity } from './activity.js';
import type { Phase } from './events.js';
import type { HypothesisOutcome, RunRecord } from './journal.js';
import type { Hypothesis } from './types.js';
import type { Controls } from './controls.js';

/** Runs the hypothesis once and returns its outcome (`steady_state_met`, probe records). */
export async function runHypothesis(
  ctx: RunContext,
  hypothesis: Hypothesis,
  phase: Phase,
  iteration?: number,
  controls?: Controls,
): Promise<HypothesisOutcome> {
  const it = iteration === undefined ? {} : { iteration };
  ctx.events.emit({ type: 'hypothesis.started', phase, title: hypothesis.title, ...it });
  const probes: RunRecord[] = [];
  let met = true;
  for (const entry of hypothesis.probes ?? []) {
    if (ctx.signal.aborted) break;
    const probe = resolveActivity(entry, ctx.refs);
    // `background` is ignored in the hypothesis: runActivity always waits.
    // chaoslib/activity.py execute_activity wraps every activity, hypothesis probes included, in activity controls
    await controls?.run('before', 'activity', probe, undefined, probe.controls);
    const record = await runActivity(ctx, probe, { phase, checkTolerance: true, records: probes });
    await controls?.run('after', 'activity', probe, record, probe.controls);
    if (record.status === 'failed' || record.tolerance_met === false) {
      record.tolerance_met = false;
      met = false;
      break;
    }
  }
  const outcome: HypothesisOutcome = { steady_state_met: met, probes };
  ctx.events.emit({ type: 'hypothesis.finished', phase, outcome, ...it });
  return outcome;
}

/** True when a probe of the outcome errored (as opposed to missing its tolerance). */
export function probeErrored(outcome: HypothesisOutcome): boolean {
  return outcome.probes.some((p) => p.status === 'failed');
}
