import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../../core/errors.js';
import { iptablesMatches, matchParam, nftMatches, u32Selectors } from './match.js';
import { selectorsOf } from './tc.js';

describe('traffic filters (params.match)', () => {
  it('renders one filter as nft, u32 and iptables, ports without a protocol meaning TCP and UDP', () => {
    const m = matchParam.parse({ dstPorts: [80, 443] });
    expect(nftMatches(m)).toEqual(['meta l4proto { tcp, udp } th dport { 80, 443 } ']);
    expect(u32Selectors(m)).toHaveLength(4);
    expect(u32Selectors(m)[0]).toEqual([
      'match',
      'ip',
      'protocol',
      '6',
      '0xff',
      'match',
      'ip',
      'dport',
      '80',
      '0xffff',
    ]);
    expect(iptablesMatches(m)).toContainEqual(['-p', 'udp', '--dport', '443']);
  });

  it('a list is any of its filters; no filter is all traffic', () => {
    const m = matchParam.parse([{ protocol: 'tcp', sources: ['10.0.0.5'] }, { destinations: ['10.1.0.0/16'] }]);
    expect(nftMatches(m)).toEqual(['ip saddr { 10.0.0.5 } meta l4proto tcp ', 'ip daddr { 10.1.0.0/16 } ']);
    expect(nftMatches(undefined)).toEqual(['']);
    expect(u32Selectors(undefined)).toEqual([]);
    expect(iptablesMatches(undefined)).toEqual([[]]);
  });

  it('combines peers and filters in tc selectors (each peer AND each filter)', () => {
    const sel = selectorsOf(['10.0.0.9'], 'dst', { protocol: 'udp', srcPorts: [53] });
    expect(sel).toEqual([
      [
        'match',
        'ip',
        'dst',
        '10.0.0.9',
        'match',
        'ip',
        'protocol',
        '17',
        '0xff',
        'match',
        'ip',
        'sport',
        '53',
        '0xffff',
      ],
    ]);
    expect(selectorsOf(['10.0.0.9'], 'src', undefined)).toEqual([['match', 'ip', 'src', '10.0.0.9']]);
  });

  it('refuses ports with icmp, bad addresses and unknown fields, naming the field', () => {
    expect(matchParam.safeParse({ protocol: 'icmp', dstPorts: [1] }).error?.issues[0]?.path).toEqual(['protocol']);
    expect(matchParam.safeParse({ sources: ['db-host'] }).success).toBe(false);
    expect(matchParam.safeParse({ dport: [80] }).success).toBe(false);
  });

  it('refuses a filter that would expand to too many rules', () => {
    const ports = Array.from({ length: 20 }, (_, i) => 1000 + i);
    let error: unknown;
    try {
      u32Selectors({ srcPorts: ports, dstPorts: ports });
    } catch (e) {
      error = e;
    }
    expect(isTurbulenceError(error)).toBe(true);
    expect((error as Error).message).toMatch(/expands to \d+ filters/);
  });
});
