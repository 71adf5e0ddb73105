/**
 * The DNS server's bounds (issue 14 §3): regex rules on a linear-time engine, a bounded number of queries held by
 * `delay`, a rule-count limit. A real server on loopback with a local upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestUpstream, type TestUpstream } from '../../test/support/dns-upstream.js';
import { isTurbulenceError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { dnsQuery } from './client.js';
import { DelayGate } from './delay-gate.js';
import { RuleEngine } from './engine.js';
import { createDnsServer, type DnsServer } from './server.js';

describe('DNS server bounds', () => {
  let upstream: TestUpstream;
  let server: DnsServer;
  let dns: string;
  beforeAll(async () => {
    upstream = await startTestUpstream();
    server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: upstream.address,
      cache: false,
      maxDelayedQueries: 5,
    });
    const addr = await server.start();
    dns = `${addr.dns.host}:${addr.dns.port}`;
  });
  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  it('matches a /(a+)+$/ rule against a long name in linear time: the server keeps answering', async () => {
    server.addRule({ id: 'redos', name: '/(a+)+$/', action: 'nxdomain' });
    try {
      const evil = `${'a'.repeat(60)}.${'a'.repeat(60)}.${'a'.repeat(60)}.${'a'.repeat(60)}b`;
      const started = Date.now();
      const res = await dnsQuery({ server: dns, name: evil, timeoutMs: 5000 });
      expect(res.rcode).toBe('NOERROR'); // ends in b: no match, forwarded
      const hit = await dnsQuery({ server: dns, name: 'aaaa', timeoutMs: 5000 });
      expect(hit.rcode).toBe('NXDOMAIN');
      expect(Date.now() - started).toBeLessThan(3000); // a backtracking engine takes minutes here
    } finally {
      server.removeRule('redos');
    }
  });

  it('refuses a regex RE2 cannot run (backreference, lookahead) with a clear error', () => {
    for (const name of ['/(a)\\1/', '/^(?=api)/', '/(?<!x)y/']) {
      let error: unknown;
      try {
        server.addRule({ name, action: 'drop' });
      } catch (err) {
        error = err;
      }
      expect(isTurbulenceError(error)).toBe(true);
      expect((error as Error).message).toMatch(/linear-time engine \(RE2\) does not support/);
    }
  });

  it('holds at most maxDelayedQueries under a delay rule and drops the rest, then answers again', async () => {
    server.addRule({ id: 'slow', name: 'slow.test', action: 'delay(1500)' });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          dnsQuery({ server: dns, name: 'slow.test', timeoutMs: 4000, transport: i % 2 ? 'tcp' : 'udp' }).then(
            (r) => r.rcode,
            () => 'timeout',
          ),
        ),
      );
      expect(results.filter((r) => r === 'NOERROR')).toHaveLength(5);
      expect(results.filter((r) => r === 'timeout')).toHaveLength(7);
      expect(server.delays.refused).toBe(7);
      expect(server.delays.held).toBe(0);
      expect(server.delays.bytes).toBe(0);
    } finally {
      server.removeRule('slow');
    }
    expect((await dnsQuery({ server: dns, name: 'slow.test' })).rcode).toBe('NOERROR');
  }, 30_000);

  it('counts held bytes against the byte cap too', () => {
    const gate = new DelayGate(100, 3000);
    expect(gate.tryHold(1500)).toBe(true);
    expect(gate.tryHold(1500)).toBe(true);
    expect(gate.tryHold(1)).toBe(false);
    gate.release(1500);
    expect(gate.tryHold(1)).toBe(true);
  });

  it('refuses a rule past the rule-count limit, but still replaces an existing one', () => {
    const engine = new RuleEngine(new Rng(1), 3);
    for (const id of ['a', 'b', 'c']) engine.add({ id, action: 'drop' });
    expect(() => engine.add({ id: 'd', action: 'drop' })).toThrow(/holds 3 rules already/);
    expect(engine.add({ id: 'b', action: 'nxdomain' }).action).toMatchObject({ type: 'nxdomain' });
  });
});
