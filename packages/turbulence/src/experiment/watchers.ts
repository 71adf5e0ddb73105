/**
 * Loops that run beside the method: the continuous hypothesis (Chaos Toolkit's during/continuously strategies,
 * with fail-fast) and our abort conditions. Each returns a handle whose `stop()` ends the loop and waits for it.
 */
import { errorMessage } from '../core/errors.js';
import { runActivity } from './activity.js';
import { resolveActivity, sleep, type RunContext } from './context.js';
import { runHypothesis } from './hypothesis.js';
import type { RunState } from './state.js';
import type { AbortConditions, Hypothesis } from './types.js';

export interface Watcher {
  stop(): Promise<void>;
}

function loop(body: (stop: AbortSignal) => Promise<void>): Watcher {
  const stopper = new AbortController();
  const done = body(stopper.signal);
  return {
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

/**
 * Runs the hypothesis repeatedly, `frequencyMs` apart (end of one to start of the next), until stopped. With
 * fail-fast the first deviating iteration fails the run (Chaos Toolkit passes a ratio of 0).
 */
export function startDuringHypothesis(
  ctx: RunContext,
  hypothesis: Hypothesis,
  state: RunState,
  opts: { frequencyMs: number; failFast: boolean; failFastRatio?: number },
): Watcher {
  return loop(async (stop) => {
    let iterations = 0;
    let deviations = 0;
    while (!stop.aborted && !ctx.signal.aborted && !state.stopped) {
      try {
        const outcome = await runHypothesis(ctx, hypothesis, 'hypothesis-during', iterations);
        iterations++;
        if (!outcome.steady_state_met) {
          deviations++;
          if (opts.failFast && (deviations * 100) / iterations >= (opts.failFastRatio ?? 0)) {
            state.fail();
            return;
          }
        }
      } catch (err) {
        state.abort(`the continuous hypothesis broke: ${errorMessage(err)}`);
        return;
      }
      await sleep(opts.frequencyMs, AbortSignal.any([stop, ctx.signal]));
    }
  });
}

/** Watches the abort conditions every `frequency` seconds; the first miss aborts the run. */
export function startAbortConditions(ctx: RunContext, conditions: AbortConditions, state: RunState): Watcher {
  const frequencyMs = (conditions.frequency ?? 1) * 1000;
  return loop(async (stop) => {
    while (!stop.aborted && !ctx.signal.aborted) {
      for (const entry of conditions.probes) {
        if (stop.aborted || ctx.signal.aborted) return;
        try {
          const probe = resolveActivity(entry, ctx.refs);
          const record = await runActivity(ctx, probe, {
            phase: 'abort-condition',
            checkTolerance: true,
          });
          if (record.status === 'failed' || record.tolerance_met === false) {
            const why = record.status === 'failed' ? 'the probe failed' : (record.tolerance_reason ?? 'not met');
            state.abort(`abort condition "${probe.name}" tripped: ${why}`);
            return;
          }
        } catch (err) {
          state.abort(`abort condition could not run: ${errorMessage(err)}`);
          return;
        }
      }
      await sleep(frequencyMs, AbortSignal.any([stop, ctx.signal]));
    }
  });
}
