import { describe, expect, it } from 'vitest';
import { parseStat } from './proc.js';
import { isProtected } from '../faults/process/targets.js';

describe('parseStat', () => {
  it('reads state, parent and start time even when comm has spaces and parentheses', () => {
    const fields = Array.from({ length: 49 }, (_, i) => String(i + 3));
    fields[0] = 'T';
    fields[1] = '77';
    fields[19] = '123456789';
    const stat = parseStat(`4242 (my (odd) name) ${fields.join(' ')}\n`);
    expect(stat).toEqual({ pid: 4242, ppid: 77, comm: 'my (odd) name', state: 'T', startTime: '123456789' });
  });

  it('returns undefined for text that is not a stat line', () => {
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('isProtected', () => {
  // 1 ─ 10 (shell) ─ 20 (turbulence) ─┬─ 30 (child) ─ 31 (grandchild)
  //                                    └─ 40 (supervised) ─ 41 (its child)
  // 1 ─ 50 (unrelated)
  const parents = new Map([
    [1, 0],
    [10, 1],
    [20, 10],
    [30, 20],
    [31, 30],
    [40, 20],
    [41, 40],
    [50, 1],
  ]);
  const parentOf = (pid: number) => parents.get(pid);

  it('protects PID 1, itself, its ancestors and its descendants, but not supervised processes or others', () => {
    const guarded = [...parents.keys()].filter((pid) => isProtected(pid, 20, new Set([40]), parentOf));
    expect(guarded.sort((a, b) => a - b)).toEqual([1, 10, 20, 30, 31]);
  });

  it('stops at a cycle in a corrupt parent table instead of looping', () => {
    const loop = new Map([
      [7, 8],
      [8, 7],
    ]);
    expect(isProtected(7, 20, new Set(), (pid) => loop.get(pid))).toBe(false);
  });
});
