import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMEOUT_MS, setLongTimeout } from './long-timer.js';

describe('setLongTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not fire a thirty-day timer early, and fires it once at thirty days', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const thirtyDays = 30 * 24 * 3600_000;
    expect(thirtyDays).toBeGreaterThan(MAX_TIMEOUT_MS);
    setLongTimeout(fn, thirtyDays);
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDays - MAX_TIMEOUT_MS - 1001);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(thirtyDays);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('chains in steps of at most `max` and can be cleared between steps', async () => {
    const fn = vi.fn();
    const t = setLongTimeout(fn, 60, 20);
    await new Promise((r) => setTimeout(r, 30));
    t.clear();
    await new Promise((r) => setTimeout(r, 80));
    expect(fn).not.toHaveBeenCalled();
    const done = new Promise<void>((resolve) => setLongTimeout(resolve, 50, 20));
    await expect(done).resolves.toBeUndefined();
  });
});
