import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { assertQueryNotEmpty, guardTargets, isProtected } from './guard.js';

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

describe('guardTargets', () => {
  const proc = (pid: number, extra: Record<string, string> = {}) => ({
    id: `pid:${pid}`,
    type: 'process',
    name: `p${pid}`,
    attributes: { pid, ...extra },
  });

  it('refuses pid ≤ 0, PID 1, the runner itself and its parent, each with a reason', () => {
    for (const pid of [0, -5, 1, process.pid, process.ppid]) {
      expect(() => guardTargets('process.kill', [proc(pid)])).toThrow(
        expect.objectContaining({ code: ErrorCodes.TARGET_REFUSED }),
      );
    }
    expect(() => guardTargets('process.kill', [proc(1)])).toThrow(/refusing to target p1: PID 1/);
    expect(() => guardTargets('process.kill', [proc(process.pid)])).toThrow(/own process/);
  });

  it('drops protected processes when others match, and passes targets that are not processes', () => {
    const other = { id: 'proxy:x', type: 'proxy', name: 'x', attributes: { url: 'u' } };
    expect(guardTargets('k', [proc(1), proc(2_000_000_000)]).map((t) => t.id)).toEqual(['pid:2000000000']);
    expect(guardTargets('proxy.disable', [other])).toEqual([other]);
  });

  it('refuses an empty target query, but leaves an absent one to the family', () => {
    const queries: JsonObject[] = [{}, { name: '' }, { hosts: [] }, { pid: null }];
    for (const q of queries) {
      expect(() => assertQueryNotEmpty('process.kill', q)).toThrow(/target query is empty/);
    }
    expect(() => assertQueryNotEmpty('stress.cpu', undefined)).not.toThrow();
    expect(() => assertQueryNotEmpty('process.kill', { pid: 42 })).not.toThrow();
  });
});
