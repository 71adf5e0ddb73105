/**
 * @module The monkey's clock. Schedules are laid out on a clock's time; the real clock is the wall clock, an
 * accelerated clock runs `speed` times faster from a chosen origin (a week of schedule in seconds, real faults for
 * the few that fire). An accelerated clock is described by plain data, so a restarted monkey continues on the same
 * virtual time line.
 *
 *   virtual now = origin + (Date.now() - realStart) × speed
 */
import { setLongTimeout } from '../core/long-timer.js';

/** A source of time that schedules run on. */
export interface Clock {
  /** Epoch ms on this clock. */
  now(): number;
  /** Real milliseconds that `ms` of this clock's time take. */
  toRealMs(ms: number): number;
  /** Resolves once this clock shows `at` (or at once when it already does), or when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** What describes an accelerated clock (stored in the monkey's state file). */
export interface AcceleratedClockSpec {
  /** Virtual epoch ms at `realStart`. */
  origin: number;
  /** Real epoch ms when the virtual clock showed `origin`. */
  realStart: number;
  /** Virtual ms per real ms (>= 1). */
  speed: number;
}

/** Sleeps real `ms`, or until `signal` aborts. */
function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setLongTimeout(done, ms);
    function done(): void {
      timer?.clear();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The wall clock. */
export const realClock: Clock = {
  now: () => Date.now(),
  toRealMs: (ms) => ms,
  sleepUntil: (at, signal) => sleepReal(Math.max(0, at - Date.now()), signal),
};

/**
 * A clock that runs `speed` times faster than the wall clock.
 *
 * @example
 * const clock = acceleratedClock({ origin: Date.parse('2026-01-05T00:00:00Z'), realStart: Date.now(), speed: 86_400 });
 * // one virtual day per real second
 */
export function acceleratedClock(spec: AcceleratedClockSpec): Clock {
  const now = (): number => spec.origin + (Date.now() - spec.realStart) * spec.speed;
  return {
    now,
    toRealMs: (ms) => ms / spec.speed,
    async sleepUntil(at, signal) {
      // Re-check after each wake: real timers may fire a little early relative to the scaled deadline.
      while (!signal?.aborted && now() < at) await sleepReal(Math.max(1, (at - now()) / spec.speed), signal);
    },
  };
}
