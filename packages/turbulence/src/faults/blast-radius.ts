/**
 * @module Blast-radius arithmetic (pure). A *fault* is one kind acting on one target; one injection (a spec)
 * makes one fault per selected target.
 *
 *   maxTargets            targets one injection may select
 *   maxConcurrentFaults   faults in effect at once, this injection's included
 *   maxTotalFaultTimeMs   Σ over faults of time in effect: reverted faults count what they used, active
 *                         faults their duration, and the new injection targets × duration
 *
 * A fault without a duration counts until it is reverted, so under a total-time bound it gets the remaining
 * budget as its duration (`capMs`): the bound then holds however long the run lasts.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { BlastRadius } from '../core/fault.js';
import { formatDuration } from '../core/duration.js';

/** What the manager knows when it checks a new injection. */
export interface BlastRadiusUsage {
  /** Targets the new injection selected. */
  targets: number;
  /** Its duration, when it has one. */
  durationMs?: number;
  /** Faults in effect now. */
  active: number;
  /** Fault time used by reverted faults plus committed by active ones, in ms. */
  committedMs: number;
}

/**
 * Checks a new injection against the bounds; throws `BLAST_RADIUS` naming the bound and by how much it would
 * be exceeded. Returns the duration cap for an injection without a duration under a total-time bound.
 *
 * @example
 * checkBlastRadius({ maxTargets: 2 }, { targets: 3, active: 0, committedMs: 0 }); // throws: 1 over
 */
export function checkBlastRadius(bounds: BlastRadius | undefined, usage: BlastRadiusUsage): { capMs?: number } {
  if (!bounds) return {};
  const { maxTargets, maxConcurrentFaults, maxTotalFaultTimeMs } = bounds;
  if (maxTargets !== undefined && usage.targets > maxTargets) {
    refuse(
      `it selects ${usage.targets} targets but max targets is ${maxTargets} (${usage.targets - maxTargets} over)`,
      'select fewer targets (--select count(N) or percent(P)) or raise max-targets',
    );
  }
  if (maxConcurrentFaults !== undefined && usage.active + usage.targets > maxConcurrentFaults) {
    const over = usage.active + usage.targets - maxConcurrentFaults;
    refuse(
      `${usage.active} faults are in effect and it adds ${usage.targets}, but max concurrent faults is ` +
        `${maxConcurrentFaults} (${over} over)`,
      'revert a fault first, select fewer targets, or raise max-concurrent-faults',
    );
  }
  if (maxTotalFaultTimeMs === undefined) return {};
  const remaining = maxTotalFaultTimeMs - usage.committedMs;
  if (usage.durationMs !== undefined) {
    const needs = usage.targets * usage.durationMs;
    if (needs > remaining) {
      refuse(
        `it needs ${usage.targets} × ${formatDuration(usage.durationMs)} of fault time, ` +
          `${formatDuration(Math.max(0, remaining))} of max total fault time ${formatDuration(maxTotalFaultTimeMs)} ` +
          `is left (${formatDuration(needs - remaining)} over)`,
        'shorten the duration, select fewer targets, or raise max-total-fault-time',
      );
    }
    return {};
  }
  const capMs = Math.floor(remaining / Math.max(1, usage.targets));
  if (capMs <= 0) {
    refuse(
      `max total fault time ${formatDuration(maxTotalFaultTimeMs)} is used up`,
      'raise max-total-fault-time or give earlier faults shorter durations',
    );
  }
  return { capMs };
}

function refuse(what: string, hint: string): never {
  throw new TurbulenceError(ErrorCodes.BLAST_RADIUS, `blast radius: refusing the fault: ${what}`, { hint });
}
