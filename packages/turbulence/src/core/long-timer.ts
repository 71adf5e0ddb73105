/**
 * @module Timers for any duration. Node's `setTimeout` holds at most 2^31-1 ms (24.8 days); a longer delay
 * overflows and fires after 1 ms, so a 30-day fault would revert at once. A long timer chains shorter timeouts
 * until the deadline, and measures the deadline on the wall clock, so a timer that was late still fires once.
 */

/** Node's largest `setTimeout` delay. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A timer started by {@link setLongTimeout}. */
export interface LongTimer {
  /** Cancels it; idempotent. */
  clear(): void;
  /** Lets the process exit while it is pending (like `Timeout.unref`). */
  unref(): LongTimer;
}

/**
 * `setTimeout` without the 24.8-day limit: `fn` runs once, `ms` from now (never early).
 *
 * @example
 * const t = setLongTimeout(() => revert(), 30 * 24 * 3600_000); // thirty days
 * t.clear();
 */
export function setLongTimeout(fn: () => void, ms: number, max: number = MAX_TIMEOUT_MS): LongTimer {
  const deadline = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  let unrefd = false;
  let cleared = false;
  const arm = (): void => {
    const left = deadline - Date.now();
    if (left <= 0) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, max));
    if (unrefd) timer.unref();
  };
  arm();
  const handle: LongTimer = {
    clear() {
      cleared = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    unref() {
      unrefd = true;
      if (!cleared) timer?.unref();
      return handle;
    },
  };
  return handle;
}
