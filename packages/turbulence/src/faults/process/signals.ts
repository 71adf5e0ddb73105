/**
 * @module Sending signals safely: by name or number, and only to the process a target recorded (same pid AND
 * same start time), never to a process that reused its pid.
 */
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import { isSameProcess } from '../../os/proc.js';
import type { ProcessAttributes } from '../../targets/process.js';

export { normalizeSignal, signalSchema } from './schema.js';

/**
 * Sends `signal` to the target's process if it still is that process. Resolves false when the process is gone
 * (or its pid was recycled), true when the signal was sent.
 *
 * @example
 * await signalTarget({ pid: 4242, startTime: '123456', comm: 'node', cmdline: 'node app.js' }, 'SIGSTOP');
 */
export async function signalTarget(target: ProcessAttributes, signal: NodeJS.Signals): Promise<boolean> {
  if (!(await isSameProcess(target.pid, target.startTime))) return false;
  try {
    process.kill(target.pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new TurbulenceError(
      ErrorCodes.FAULT_INJECT_FAILED,
      `cannot send ${signal} to pid ${target.pid}: ${errorMessage(err)}`,
      {
        hint:
          (err as NodeJS.ErrnoException).code === 'EPERM'
            ? 'the process belongs to another user: run as that user or root'
            : undefined,
        cause: err,
      },
    );
  }
}

/** The error for a target that is gone before a fault could act on it. */
export function targetGone(target: ProcessAttributes, kind: string): TurbulenceError {
  return new TurbulenceError(
    ErrorCodes.FAULT_INJECT_FAILED,
    `${kind}: pid ${target.pid} (${target.comm}) is no longer running`,
    {
      hint: 'the process exited (or its pid was reused) between selection and injection',
    },
  );
}
