/**
 * @module `process.kill`: send any signal (default SIGKILL). Not reversible, except that for a supervised
 * process `restart: true` makes revert start it again.
 */
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import { ensureManagedRunning, findManaged, isRecordAlive } from '../../supervisor/managed.js';
import { isSameProcess, waitFor } from '../../os/proc.js';
import { procAvailable } from './capability.js';
import { signalTarget, targetGone } from './signals.js';
import { attributesOf, resolveProcesses } from '../../targets/process.js';
import { killParams as params } from './schema.js';

/** Params of `process.kill` after defaults. */
export type KillParams = z.output<typeof params>;

/** `process.kill`. */
export const killDriver: FaultDriver<KillParams> = {
  kind: 'process.kill',
  summary: 'send a signal (default SIGKILL); with restart: true a supervised process is started again on revert',
  params,
  reversible: false,
  check: procAvailable,
  targets: ['process'],
  resolveTargets: (query) => resolveProcesses(query),
  async inject(target, p) {
    const t = attributesOf(target);
    if (p.restart && t.managed === undefined) {
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `restart: true needs a supervised process, pid ${t.pid} is not`,
        {
          hint: 'target it with managed=NAME, or drop restart',
        },
      );
    }
    if (!(await signalTarget(t, p.signal))) throw targetGone(t, 'process.kill');
    return { signal: p.signal, at: Date.now() };
  },
  async verify(fault) {
    if (fault.params.signal !== 'SIGKILL') return true; // other signals may be handled; nothing to observe
    const t = attributesOf(fault.target);
    return waitFor(async () => !(await isSameProcess(t.pid, t.startTime)), 2000);
  },
  async revert(fault) {
    const t = attributesOf(fault.target);
    if (await isSameProcess(t.pid, t.startTime)) {
      return `nothing to undo: pid ${t.pid} handled ${fault.params.signal} and is still running`;
    }
    if (t.managed === undefined) return `not reversible: pid ${t.pid} stays gone (${fault.params.signal})`;
    const before = await findManaged(t.managed).catch(() => undefined);
    const back = before !== undefined && before.pid !== t.pid && (await isRecordAlive(before));
    if (back)
      return `nothing to undo: ${t.managed} was restarted by its supervisor before revert (now pid ${before.pid})`;
    if (!fault.params.restart) return `not reversible: ${t.managed} is not running again yet (its supervisor decides)`;
    await ensureManagedRunning(t.managed); // a real revert: nothing to add to "reverted"
  },
};
