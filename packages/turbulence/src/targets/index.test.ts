import { describe, expect, it } from 'vitest';
import { listDrivers } from '../faults/registry.js';
import { getResolver, resolvers } from './index.js';
import { parsePairs } from './query.js';

describe('the target layer', () => {
  it('has one resolver per type', () => {
    const types = resolvers.map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
    expect(getResolver('process')?.keys).toContain('pid');
  });

  it('knows every target type a registered driver declares, and every driver declares some', async () => {
    const drivers = await listDrivers();
    expect(drivers.length).toBeGreaterThan(0);
    for (const d of drivers) {
      expect(d.targets, `${d.kind} declares no target types`).toBeDefined();
      for (const t of d.targets ?? []) expect(getResolver(t), `${d.kind}: unknown target type ${t}`).toBeDefined();
    }
  });

  it('reads --target key=value pairs as the same query an experiment writes', () => {
    expect(parsePairs(['pid=42', 'lab=etcd', 'hosts=["n1","n2"]', 'host=true'], '--target')).toEqual({
      pid: 42,
      lab: 'etcd',
      hosts: ['n1', 'n2'],
      host: true,
    });
    expect(() => parsePairs(['nokey'], '--target')).toThrow(/is not key=value/);
  });
});
