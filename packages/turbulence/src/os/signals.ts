/**
 * @module Signals: is a pid alive, send a signal without caring whether it is gone, wait for exits, and the one
 * signal-then-kill helper ({@link terminate}) every part of turbulence uses to stop processes.
 */

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until every PID has exited or `ms` elapsed; returns the PIDs still alive. */
export async function waitExit(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(alive);
  }
  return left;
}

/**
 * Sends a signal to a whole process group (`-pid`), falling back to the leader alone when there is no such group;
 * a process that is already gone is fine.
 */
export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    signal(pid, sig);
  }
}

/** Options of {@link terminate}. */
export interface TerminateOptions {
  /** Signal each pid's whole process group (see {@link signalGroup}), not only the pid. Default false. */
  group?: boolean;
  /** How long to wait for the SIGKILLed processes to be gone. Default 2000 ms. */
  killWaitMs?: number;
}

/**
 * The one signal-then-kill helper: SIGTERM, wait up to `graceMs`, then SIGKILL whatever is left and wait for it.
 * Resolves to the pids still alive after all that (normally none).
 *
 * @example
 * await terminate([child.pid], 3000, { group: true }); // the child and everything it started
 */
export async function terminate(
  pids: readonly number[],
  graceMs: number,
  options: TerminateOptions = {},
): Promise<number[]> {
  const send = options.group ? signalGroup : signal;
  for (const p of pids) send(p, 'SIGTERM');
  const left = await waitExit(pids, graceMs);
  for (const p of left) send(p, 'SIGKILL');
  return waitExit(left, options.killWaitMs ?? 2000);
}
