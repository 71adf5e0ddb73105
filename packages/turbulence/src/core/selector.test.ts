import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { parseSelectionMode, select, selectionSize, formatSelectionMode } from './selector.js';

const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}` }));

describe('selection modes', () => {
  it('parses every mode and rejects nonsense with a hint', () => {
    expect(parseSelectionMode('all')).toEqual({ mode: 'all' });
    expect(parseSelectionMode('one')).toEqual({ mode: 'one' });
    expect(parseSelectionMode('count(3)')).toEqual({ mode: 'count', value: 3 });
    expect(parseSelectionMode('percent:25')).toEqual({ mode: 'percent', value: 25 });
    expect(parseSelectionMode('random-max-percent(50)')).toEqual({ mode: 'random-max-percent', value: 50 });
    expect(() => parseSelectionMode('percent(150)')).toThrow(/not valid/);
    expect(() => parseSelectionMode('some')).toThrow(/not valid/);
    expect(formatSelectionMode({ mode: 'count', value: 2 })).toBe('count(2)');
  });

  it('takes the right number of targets', () => {
    const rng = new Rng(1);
    expect(selectionSize({ mode: 'all' }, 10, rng)).toBe(10);
    expect(selectionSize({ mode: 'one' }, 10, rng)).toBe(1);
    expect(selectionSize({ mode: 'count', value: 4 }, 3, rng)).toBe(3);
    expect(selectionSize({ mode: 'percent', value: 30 }, 10, rng)).toBe(3);
    expect(selectionSize({ mode: 'percent', value: 1 }, 10, rng)).toBe(1);
    expect(selectionSize({ mode: 'percent', value: 0 }, 10, rng)).toBe(0);
    expect(selectionSize({ mode: 'one' }, 0, rng)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const n = selectionSize({ mode: 'random-max-percent', value: 50 }, 10, rng);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(5);
    }
  });

  it('makes the same choices for the same seed, whatever the input order', () => {
    const a = select(targets(20), { mode: 'count', value: 5 }, new Rng(42));
    const b = select(targets(20).reverse(), { mode: 'count', value: 5 }, new Rng(42));
    expect(a).toEqual(b);
    const c = select(targets(20), { mode: 'count', value: 5 }, new Rng(43));
    expect(c).not.toEqual(a);
    expect(new Set(a.map((t) => t.id)).size).toBe(5);
  });

  it('replays the same choice by stable identity when the same processes come back under other pids', () => {
    const names = ['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6'];
    const run1 = names.map((n, i) => ({ id: `pid:${1000 + i * 7}`, identity: n }));
    // Second run: the same services, pids in a different order (pid:9xxx sorts before pid:1xxx... as strings too).
    const run2 = names.map((n, i) => ({ id: `pid:${9000 - i * 13}`, identity: n }));
    const pick = (c: { id: string; identity: string }[]) =>
      select(c, { mode: 'count', value: 2 }, new Rng(7)).map((t) => t.identity);
    expect(pick(run2)).toEqual(pick(run1));
    // By id alone the choice would follow the pids, not the services.
    const byId = (c: { id: string; identity: string }[]) =>
      select(
        c.map((t) => ({ id: t.id, name: t.identity })),
        { mode: 'count', value: 2 },
        new Rng(7),
      ).map((t) => t.name);
    expect(byId(run2)).not.toEqual(byId(run1));
  });
});

describe('Rng', () => {
  it('replays a stream from its seed and forks independent streams', () => {
    const seq = (r: Rng) => Array.from({ length: 5 }, () => r.next());
    expect(seq(new Rng(7))).toEqual(seq(new Rng(7)));
    expect(seq(new Rng(7))).not.toEqual(seq(new Rng(8)));
    expect(seq(new Rng(7).fork('proxy'))).toEqual(seq(new Rng(7).fork('proxy')));
    expect(seq(new Rng(7).fork('proxy'))).not.toEqual(seq(new Rng(7).fork('dns')));
  });

  it('draws uniformly enough for coin flips', () => {
    const rng = new Rng(123);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (rng.chance(0.3)) hits++;
    expect(hits).toBeGreaterThan(2800);
    expect(hits).toBeLessThan(3200);
    expect(rng.chance(0)).toBe(false);
    expect(rng.chance(1)).toBe(true);
  });
});
