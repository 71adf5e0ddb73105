import { describe, expect, it } from 'vitest';
import { describeKind } from './describe.js';
import { kindSchema, kindSchemas } from './schemas.js';

describe('describeKind', () => {
  it("lists a kind's parameters with type, default and range, and its target fields", () => {
    const kill = describeKind(kindSchema('process.kill')!);
    expect(kill.params).toEqual([
      { name: 'signal', type: 'string | integer', required: false },
      { name: 'restart', type: 'boolean', required: false, default: false },
    ]);
    expect(kill.target.map((f) => f.name)).toEqual([
      'pid',
      'name',
      'cmdline',
      'pidfile',
      'managed',
      'lab',
      'host',
      'service',
    ]);
    expect(kill.target[0]).toMatchObject({ type: 'integer', range: '> 0' });
    const loss = describeKind(kindSchema('network.loss')!);
    expect(loss.params[0]).toEqual({ name: 'percent', type: 'number', required: true, range: '0..100' });
    expect(loss.params.find((p) => p.name === 'direction')).toMatchObject({ default: 'both' });
  });

  it('describes every registered kind, with an example target', () => {
    for (const schema of kindSchemas) {
      const d = describeKind(schema);
      expect(d.target.length, schema.kind).toBeGreaterThan(0);
      expect(d.example.target, schema.kind).toBeDefined();
    }
  });
});
