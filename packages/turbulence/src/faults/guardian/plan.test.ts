import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../ledger.js';
import { nextWake, planGuardian } from './plan.js';
import type { OwnerState } from './plan.js';

const entry = (id: string, expiresAt?: number, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  kind: 'process.stop',
  target: { id: 'pid:1', type: 'process', name: 'x', attributes: {} },
  params: {},
  createdAt: new Date(0).toISOString(),
  ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
  owner: { pid: 1, host: 'h', cmd: 'c' },
  status: 'active',
  ...extra,
});

describe('planGuardian', () => {
  const now = 1_000_000;
  const owners = (m: Record<string, OwnerState>) => (e: LedgerEntry) => m[e.id] ?? 'gone';

  it('reverts expired faults whose owner is gone, and detached ones, newest first', () => {
    const plan = planGuardian(
      [entry('a', now - 10), entry('b', now - 5, { detached: true }), entry('c', now)],
      owners({ b: 'alive' }),
      now,
    );
    expect(plan.revert.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(plan.idle).toBe(false);
  });

  it('never reverts an expired fault whose live owner still holds it', () => {
    const plan = planGuardian([entry('a', now - 10)], owners({ a: 'alive' }), now);
    expect(plan.revert).toEqual([]);
    expect(plan.held.map((e) => e.id)).toEqual(['a']);
    expect(nextWake(plan, now, 60_000, 1000)).toBe(now + 1000);
  });

  it('sleeps until the next expiry, at most the safety net, and ignores faults without a duration', () => {
    const plan = planGuardian([entry('a', now + 5000), entry('b', now + 2000), entry('c')], owners({}), now);
    expect(plan.revert).toEqual([]);
    expect(plan.nextExpiry).toBe(now + 2000);
    expect(nextWake(plan, now, 60_000, 1000)).toBe(now + 2000);
    const far = planGuardian([entry('a', now + 30 * 86_400_000)], owners({}), now);
    expect(nextWake(far, now, 60_000, 1000)).toBe(now + 60_000);
  });

  it('is idle when nothing is left to expire (no entries, no durations, or other hosts only)', () => {
    expect(planGuardian([], owners({}), now).idle).toBe(true);
    expect(planGuardian([entry('c')], owners({}), now).idle).toBe(true);
    expect(planGuardian([entry('a', now - 1)], owners({ a: 'other-host' }), now).idle).toBe(true);
  });
});
