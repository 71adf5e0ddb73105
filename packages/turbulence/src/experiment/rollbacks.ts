/**
 * Cleanup activities: per-action reverts and global rollbacks. They run on the cleanup context (its own signal),
 * in order, and a failure never stops the ones after it.
 */
import { errorMessage } from '../core/errors.js';
import { runActivity } from './activity.js';
import { resolveActivity, type RunContext } from './context.js';
import type { Controls } from './controls.js';
import type { RunRecord } from './journal.js';
import type { Activity, ActivityOrRef } from './types.js';

/** Runs the global rollbacks with their controls; records go to `records`. */
export async function runRollbacks(
  ctx: RunContext,
  rollbacks: ActivityOrRef[],
  controls: Controls,
  records: RunRecord[],
): Promise<void> {
  ctx.events.emit({ type: 'rollbacks.started', count: rollbacks.length });
  await controls.run('before', 'rollback', rollbacks);
  for (const entry of rollbacks) {
    if (ctx.signal.aborted) break;
    try {
      const activity = resolveActivity(entry, ctx.refs);
      await runCleanupActivity(ctx, activity, 'rollback', records, controls);
    } catch (err) {
      ctx.events.emit({ type: 'run.warning', message: `rollback skipped: ${errorMessage(err)}` });
    }
  }
  await controls.run('after', 'rollback', rollbacks, records);
  ctx.events.emit({ type: 'rollbacks.finished' });
}

/** Runs one revert or rollback activity; a failure is reported as a warning and never stops the next. */
export async function runCleanupActivity(
  ctx: RunContext,
  activity: Activity,
  phase: 'revert' | 'rollback',
  records: RunRecord[],
  controls?: Controls,
): Promise<void> {
  await controls?.run('before', 'activity', activity, undefined, activity.controls);
  try {
    const record = await runActivity(ctx, activity, { phase, checkTolerance: false, records });
    await controls?.run('after', 'activity', activity, record, activity.controls);
  } catch (err) {
    // A failed rollback never stops the ones after it.
    ctx.events.emit({ type: 'run.warning', message: `${phase} "${activity.name}" failed: ${errorMessage(err)}` });
  }
}
