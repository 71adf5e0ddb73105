/**
 * The method: activities in order, background ones started and awaited at the end; a stop (interrupt, abort,
 * fail-fast, `on-fail`) ends the loop after the current activity. Actions with a `revert` are remembered so
 * that only what ran is undone, in reverse order.
 */
import { errorMessage } from '../core/errors.js';
import { getProvider } from '../providers/index.js';
import { failureOf, runActivity } from './activity.js';
import { resolveActivity, type RunContext } from './context.js';
import type { Controls } from './controls.js';
import type { RunRecord } from './journal.js';
import type { RunState } from './state.js';
import type { Activity, ActivityOrRef, OnFail } from './types.js';
import { executesUnderDry } from './policy.js';
import { ModalProbes } from './probe-modes.js';

/** Runs the method; returns the `revert` activities of the actions that ran, in the order they must run. */
export async function runMethod(
  ctx: RunContext,
  method: ActivityOrRef[],
  state: RunState,
  controls: Controls,
  records: RunRecord[],
): Promise<Activity[]> {
  const reverts: Activity[] = [];
  const background: Promise<void>[] = [];
  ctx.events.emit({ type: 'method.started', activities: method.length });
  await controls.run('before', 'method', method);

  const modal = new ModalProbes(ctx, method, state); // probes with a `mode` (Litmus modes): see probe-modes.ts
  for (const [i, entry] of method.entries()) {
    if (state.stopped) break;
    if (modal.any && (await modal.at(i))) continue;
    let activity: Activity;
    try {
      activity = resolveActivity(entry, ctx.refs);
    } catch (err) {
      state.abort(errorMessage(err));
      break;
    }
    const one = runOne(ctx, activity, state, controls, records, reverts);
    if (activity.background === true) background.push(one);
    else await one;
  }

  await Promise.all(background);
  await modal.close();
  await controls.run('after', 'method', method, records);
  ctx.events.emit({ type: 'method.finished' });
  return reverts.reverse();
}

async function runOne(
  ctx: RunContext,
  activity: Activity,
  state: RunState,
  controls: Controls,
  records: RunRecord[],
  reverts: Activity[],
): Promise<void> {
  await controls.run('before', 'activity', activity, undefined, activity.controls);
  let record: RunRecord;
  try {
    record = await runActivity(ctx, activity, {
      phase: 'method',
      checkTolerance: activity.tolerance !== undefined,
      records,
    });
  } catch (err) {
    state.abort(`activity "${activity.name}" could not run: ${errorMessage(err)}`);
    return;
  }
  if (activity.type === 'action' && activity.revert && executesUnderDry(ctx.dry, 'action')) {
    reverts.push(activity.revert);
  }
  await controls.run('after', 'activity', activity, record, activity.controls);

  const missed = record.status === 'failed' || record.tolerance_met === false;
  if (!missed) return;
  const onFail: OnFail = activity['on-fail'] ?? (ctx.strict ? 'fail' : 'continue');
  const why =
    record.status === 'failed'
      ? `activity "${activity.name}" failed${failureOf(record) === undefined ? '' : `: ${errorMessage(failureOf(record))}`}`
      : `probe "${activity.name}" missed its tolerance (${record.tolerance_reason ?? 'not met'})`;
  const forced =
    record.status === 'failed' && activity.type === 'action'
      ? getProvider(activity.provider.type)?.failedAction?.(failureOf(record))
      : undefined;
  if (onFail === 'abort' || forced === 'abort') state.abort(why);
  else if (onFail === 'fail' || forced === 'fail') state.fail();
}
