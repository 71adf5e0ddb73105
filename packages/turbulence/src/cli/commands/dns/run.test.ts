/** The `--log` line of `dns serve` and `dns run`. */
import { describe, expect, it } from 'vitest';
import { formatEvent } from './run.js';

describe('formatEvent', () => {
  const base = { client: { address: '127.0.0.1', port: 5000 }, transport: 'udp' as const, latencyMs: 0.25 };

  it('names the query, the rules that fired, the answer and whether it came from the cache', () => {
    expect(
      formatEvent({
        ...base,
        name: 'svc.test',
        type: 'A',
        rules: ['slow'],
        outcome: 'answered',
        rcode: 'NOERROR',
        tc: true,
        size: 512,
        cached: true,
      }),
    ).toBe('127.0.0.1:5000 udp A svc.test rules=slow → answered NOERROR TC 512B (cached) 0.3ms');
  });

  it('says why a query was dropped', () => {
    expect(formatEvent({ ...base, rules: [], outcome: 'dropped', error: 'shorter than a DNS header' })).toBe(
      '127.0.0.1:5000 udp ? ? → dropped 0.3ms (shorter than a DNS header)',
    );
  });
});
