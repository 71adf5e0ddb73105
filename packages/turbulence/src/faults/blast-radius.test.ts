import { describe, expect, it } from 'vitest';
import type { TurbulenceError } from '../core/errors.js';
import { ErrorCodes } from '../core/errors.js';
import { checkBlastRadius } from './blast-radius.js';

function refusal(fn: () => unknown): TurbulenceError | undefined {
  try {
    fn();
  } catch (e) {
    return e as TurbulenceError;
  }
  return undefined;
}

describe('checkBlastRadius', () => {
  it('allows anything when no bound is set', () => {
    expect(checkBlastRadius(undefined, { targets: 100, active: 100, committedMs: 1e9 })).toEqual({});
    expect(checkBlastRadius({}, { targets: 100, active: 100, committedMs: 1e9 })).toEqual({});
  });

  it('refuses too many targets, saying by how much', () => {
    const err = refusal(() => checkBlastRadius({ maxTargets: 2 }, { targets: 3, active: 0, committedMs: 0 }));
    expect(err?.code).toBe(ErrorCodes.BLAST_RADIUS);
    expect(err?.message).toMatch(/max targets is 2 \(1 over\)/);
    expect(checkBlastRadius({ maxTargets: 2 }, { targets: 2, active: 0, committedMs: 0 })).toEqual({});
  });

  it('counts faults already in effect against max concurrent faults', () => {
    const err = refusal(() => checkBlastRadius({ maxConcurrentFaults: 2 }, { targets: 2, active: 1, committedMs: 0 }));
    expect(err?.message).toMatch(/1 faults are in effect and it adds 2, but max concurrent faults is 2 \(1 over\)/);
    expect(checkBlastRadius({ maxConcurrentFaults: 2 }, { targets: 1, active: 1, committedMs: 0 })).toEqual({});
  });

  it('sums targets × duration against max total fault time', () => {
    const bounds = { maxTotalFaultTimeMs: 60_000 };
    expect(checkBlastRadius(bounds, { targets: 2, durationMs: 20_000, active: 0, committedMs: 20_000 })).toEqual({});
    const err = refusal(() =>
      checkBlastRadius(bounds, { targets: 2, durationMs: 20_000, active: 1, committedMs: 30_000 }),
    );
    expect(err?.message).toMatch(/2 × 20\.0s .* 30\.0s of max total fault time 1m00s is left \(10\.0s over\)/);
  });

  it('caps a fault without duration at the remaining budget, and refuses once it is used up', () => {
    const bounds = { maxTotalFaultTimeMs: 60_000 };
    expect(checkBlastRadius(bounds, { targets: 3, active: 0, committedMs: 30_000 })).toEqual({ capMs: 10_000 });
    const err = refusal(() => checkBlastRadius(bounds, { targets: 1, active: 0, committedMs: 60_000 }));
    expect(err?.message).toMatch(/used up/);
  });
});
