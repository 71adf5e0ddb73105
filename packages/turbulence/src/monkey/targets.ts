/**
 * @module The targets of a group right now, through the fault kind's own resolver and the one safety guard
 * (`targets/guard.ts`): exactly what the fault manager would consider.
 */
import { errorMessage } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import { Rng } from '../core/rng.js';
import { getDriver } from '../faults/registry.js';
import { guardTargets } from '../targets/guard.js';
import type { Group } from './validate.js';

/** A group's candidates, or the reason there are none. */
export type Resolved = { targets: Target[] } | { targets: []; problem: string };

/**
 * Resolves a group's target query with its kind's driver and applies the guard.
 *
 * @example
 * const { targets } = await resolveGroup(schedule.groups[0]);
 */
export async function resolveGroup(group: Group): Promise<Resolved> {
  if (!group.fault) return { targets: [] };
  try {
    const driver = await getDriver(group.fault.kind);
    const ctx = { rng: new Rng(0), signal: new AbortController().signal };
    const found = await driver.resolveTargets(group.targets, ctx);
    const targets = guardTargets(group.fault.kind, found);
    if (targets.length === 0)
      return { targets: [], problem: `matches nothing now (${JSON.stringify(group.targets ?? {})})` };
    return { targets };
  } catch (err) {
    return { targets: [], problem: errorMessage(err) };
  }
}
