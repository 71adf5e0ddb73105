import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { RuleEngine } from './engine.js';

const facts = { name: 'svc.test', type: 'A', client: '127.0.0.1', transport: 'udp' as const };
const fires = (engine: RuleEngine, n: number) =>
  Array.from({ length: n }, () =>
    engine
      .fire(facts)
      .map((f) => f.rule.id)
      .join(','),
  );

describe('DNS rule engine', () => {
  it('replays the same coin flips for the same seed', () => {
    const make = (seed: number) => {
      const e = new RuleEngine(new Rng(seed));
      e.add({ id: 'flaky', action: 'servfail', probability: 0.3 });
      return e;
    };
    const a = fires(make(5), 200);
    expect(fires(make(5), 200)).toEqual(a);
    expect(fires(make(6), 200)).not.toEqual(a);
    const hits = a.filter((x) => x === 'flaky').length;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(90);
  });

  it("gives each rule its own random stream, so adding a rule does not change another's flips", () => {
    const one = new RuleEngine(new Rng(1));
    one.add({ id: 'x', action: 'drop', probability: 0.5 });
    const two = new RuleEngine(new Rng(1));
    two.add({ id: 'y', name: 'other.test', action: 'drop', probability: 0.5 });
    two.add({ id: 'x', action: 'drop', probability: 0.5 });
    expect(fires(two, 100)).toEqual(fires(one, 100));
  });

  it('stops firing after count hits and keeps counting matches', () => {
    const e = new RuleEngine(new Rng(1));
    e.add({ id: 'twice', action: 'nxdomain', count: 2 });
    expect(fires(e, 5)).toEqual(['twice', 'twice', '', '', '']);
    expect(e.get('twice')).toMatchObject({ matched: 5, hits: 2 });
  });

  it('fires every matching rule in order, assigns ids, replaces by id and removes', () => {
    const e = new RuleEngine(new Rng(1));
    const a = e.add({ action: 'delay(10)' });
    const b = e.add({ action: 'ttl(0)' });
    expect([a.id, b.id]).toEqual(['rule-1', 'rule-2']);
    expect(fires(e, 1)).toEqual(['rule-1,rule-2']);
    e.add({ id: 'rule-1', name: 'elsewhere.test', action: 'drop' });
    expect(fires(e, 1)).toEqual(['rule-2']);
    expect(e.list().map((r) => r.id)).toEqual(['rule-1', 'rule-2']);
    expect(e.remove('rule-2')).toBe(true);
    expect(e.remove('rule-2')).toBe(false);
    e.clear();
    expect(e.empty).toBe(true);
  });
});
