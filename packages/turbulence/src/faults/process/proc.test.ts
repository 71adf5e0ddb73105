import { describe, expect, it } from 'vitest';
import { parseStat } from './proc.js';
import type { ProcInfo } from './proc.js';
import { protectedPids } from './targets.js';

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

describe('protectedPids', () => {
  const proc = (pid: number, ppid: number): ProcInfo => ({
    pid,
    ppid,
    comm: 'x',
    state: 'S',
    startTime: '1',
    argv: [],
  });
  // 1 ─ 10 (shell) ─ 20 (turbulence) ─┬─ 30 (child) ─ 31 (grandchild)
  //                                    └─ 40 (supervised) ─ 41 (its child)
  // 1 ─ 50 (unrelated)
  const table = [
    proc(1, 0),
    proc(10, 1),
    proc(20, 10),
    proc(30, 20),
    proc(31, 30),
    proc(40, 20),
    proc(41, 40),
    proc(50, 1),
  ];

  it('protects PID 1, itself, its ancestors and its descendants, but not supervised processes or others', () => {
    const guard = protectedPids(table, 20, new Set([40]));
    expect([...guard].sort((a, b) => a - b)).toEqual([1, 10, 20, 30, 31]);
  });
});
