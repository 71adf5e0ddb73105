import { describe, expect, it } from 'vitest';
import type { Target } from '../../core/fault.js';
import { blackholeDriver } from './blackhole.js';
import { netemArgs } from './latency-netem.js';
import { latencyParams } from './latency-types.js';
import { chooseBackend } from './latency.js';
import { lossDriver } from './loss.js';
import { peerMatch, tableName, tableScript } from './nft.js';
import { handleFor, ifbFor, parseRate } from './tc.js';
import { directKey as faultKey } from '../naming.js';

const target: Target = { id: 'netns:tb-x-a', type: 'netns', name: 'x/a', attributes: { netns: 'tb-x-a' } };

describe('network fault rules (no root needed)', () => {
  it('names a fault after its ledger id, or after kind, target and params (the same every time) without one', () => {
    expect(faultKey('network.loss', target, { percent: 30 })).toBe(faultKey('network.loss', target, { percent: 30 }));
    expect(faultKey('network.loss', target, { percent: 30 })).not.toBe(
      faultKey('network.loss', target, { percent: 31 }),
    );
    expect(tableName(faultKey('network.loss', target, {}))).toMatch(/^turbulence_[0-9a-f]{10}$/);
    expect(tableName('network-loss-m3x8k2ab-1a2b3c')).toBe('turbulence_network_loss_m3x8k2ab_1a2b3c');
  });

  it('writes a table script that replaces the table atomically and leaves out empty chains', () => {
    const script = tableScript('turbulence_x', { input: ['drop'], output: [] });
    expect(script.split('\n').slice(0, 3)).toEqual([
      'table inet turbulence_x {}',
      'delete table inet turbulence_x',
      'table inet turbulence_x {',
    ]);
    expect(script).toContain('type filter hook input priority -10; policy accept;');
    expect(script).not.toContain('hook output');
  });

  it('matches peers by source on input and destination on output', () => {
    expect(peerMatch('input', ['10.0.0.2', '10.1.0.0/16'])).toBe('ip saddr { 10.0.0.2, 10.1.0.0/16 } ');
    expect(peerMatch('output', [])).toBe('');
  });

  it('accepts fractional loss percentages with a direction, and refuses more than 100 %', () => {
    const loss = lossDriver.params.parse({ percent: 12.5, direction: 'ingress' });
    expect(loss.direction).toBe('ingress');
    expect(lossDriver.params.safeParse({ percent: 120 }).success).toBe(false);
  });

  it('refuses a blackhole with neither ports nor peers', () => {
    expect(blackholeDriver.params.safeParse({}).success).toBe(false);
    expect(blackholeDriver.params.parse({ ports: [80] })).toMatchObject({ protocol: 'both', direction: 'both' });
  });

  it('parses rates in bits and bytes', () => {
    expect(parseRate('8mbit')).toBe(8_000_000);
    expect(parseRate('500kbit')).toBe(500_000);
    expect(parseRate('1mbps')).toBe(8_000_000);
    expect(() => parseRate('fast')).toThrow(/not a rate/);
  });

  it('derives qdisc handles and ifb names that fit the kernel limits', () => {
    for (const key of ['0000000000', 'ffffffffff', '1234abcdef']) {
      const h = parseInt(handleFor(key), 16);
      expect(h).toBeGreaterThan(0);
      expect(h).toBeLessThan(0xffff);
      expect(ifbFor(key).length).toBeLessThanOrEqual(15);
    }
  });

  it('builds netem arguments from delay, jitter, reorder, duplicate and corrupt', () => {
    const p = latencyParams.parse({ delay: '200ms', jitter: 20, reorder: 5, duplicate: 1, corrupt: 0.1 });
    expect(netemArgs(p)).toEqual([
      'netem',
      'delay',
      '200ms',
      '20ms',
      'reorder',
      '5%',
      'duplicate',
      '1%',
      'corrupt',
      '0.1%',
    ]);
  });

  it('explains why no latency backend fits when none does', async () => {
    const p = latencyParams.parse({ delay: 10, backend: 'nfqueue', corrupt: 1 });
    await expect(chooseBackend(p)).rejects.toThrow(
      /network\.latency cannot run here: nfqueue: .*cannot duplicate or corrupt|nfqueue: /,
    );
  });
});
