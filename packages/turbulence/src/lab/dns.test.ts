import { describe, expect, it } from 'vitest';
import { planLabDns, upstreamAddress } from './dns.js';
import { planLab } from './network.js';
import { parseLabSpec } from './spec.js';

const spec = (dns: string) =>
  parseLabSpec(
    `name: d\nsubnet: 10.88.3.0/24\nhostAccess: true\n${dns}hosts:\n  - name: ns\n    dns: false\n  - name: a\n  - name: b\n`,
  );

describe('lab DNS plan', () => {
  it('names the gateway as nameserver for every host that did not opt out, and resolves a host upstream', () => {
    const s = spec('dns:\n  upstream: ns\n');
    expect(planLabDns(s, planLab(s, '/tmp/logs').hosts)).toEqual({
      nameserver: '10.88.3.1',
      upstream: '10.88.3.11:53',
      hosts: ['a', 'b'],
    });
  });

  it('keeps addresses, takes a host name with a port, and plans nothing without a dns block', () => {
    const s = spec('dns:\n  upstream: ns\n');
    const hosts = planLab(s, '/tmp/logs').hosts;
    expect(upstreamAddress('b:5353', hosts)).toBe('10.88.3.13:5353');
    expect(upstreamAddress('127.0.0.1:5353', hosts)).toBe('127.0.0.1:5353');
    expect(upstreamAddress('10.0.0.2', hosts)).toBe('10.0.0.2:53');
    expect(upstreamAddress('[::1]:53', hosts)).toBe('[::1]:53');
    const none = spec('');
    expect(planLabDns(none, planLab(none, '/tmp/logs').hosts)).toBeUndefined();
  });
});
