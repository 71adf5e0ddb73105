/**
 * @module The one restart policy of supervised processes (managed processes and lab services alike), as a pure
 * function of the policy, how the process exited and when it was last restarted.
 *
 *   exit ──policy? (never | on-failure: code ≠ 0 or a signal | always)──▶ 5 restarts in 10 s? ──▶ give up
 *                                                                          └─▶ restart after restartDelayMs × 2^(n−1), at most 4×
 */

/** When a process that exited on its own is started again. */
export type RestartPolicy = 'never' | 'on-failure' | 'always';

/** Restarts within this window count towards giving up and towards the backoff. */
export const RESTART_WINDOW_MS = 10_000;
/** More restarts than this within {@link RESTART_WINDOW_MS} and the supervisor gives up. */
export const MAX_RESTARTS_IN_WINDOW = 5;

/** What to do after an exit. */
export type RestartDecision =
  { restart: false; gaveUp?: string; recent: number[] } | { restart: true; delayMs: number; recent: number[] };

/**
 * Decides whether and when to restart a process that exited on its own. `recent` holds the times of earlier
 * restarts (the returned `recent` replaces it).
 *
 * @example
 * decideRestart({ restart: 'on-failure', restartDelayMs: 100 }, { code: 1, signal: null }, [], Date.now());
 * // { restart: true, delayMs: 100, recent: [now] }
 */
export function decideRestart(
  spec: { restart: RestartPolicy; restartDelayMs: number },
  exit: { code: number | null; signal: string | null },
  recent: readonly number[],
  now: number,
): RestartDecision {
  const failed = exit.code !== 0 || exit.signal !== null;
  const wanted = spec.restart === 'always' || (spec.restart === 'on-failure' && failed);
  const window = recent.filter((t) => now - t < RESTART_WINDOW_MS);
  if (!wanted) return { restart: false, recent: window };
  if (window.length >= MAX_RESTARTS_IN_WINDOW) {
    const seconds = RESTART_WINDOW_MS / 1000;
    return { restart: false, gaveUp: `${MAX_RESTARTS_IN_WINDOW} restarts within ${seconds} s`, recent: window };
  }
  const delayMs = spec.restartDelayMs * 2 ** Math.min(window.length, 2);
  return { restart: true, delayMs, recent: [...window, now] };
}
