/** The DNS server's events on `turbulence:dns`, from a real server answering from a rule over real UDP. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { DNS_CHANNEL, EVENT_CATALOGUE, type AnyEvent, type EventType } from '../core/events.js';
import { dnsQuery } from './client.js';
import { createDnsServer } from './server.js';

describe('DNS server events', () => {
  it('publishes rule changes and each query in the envelope', async () => {
    const seen: AnyEvent[] = [];
    const onEvent = (m: unknown) => seen.push(m as AnyEvent);
    subscribe(DNS_CHANNEL, onEvent);
    const server = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', seed: 1 });
    try {
      const { dns } = await server.start();
      server.addRule({ id: 'gone', name: 'gone.test', action: 'nxdomain' });
      expect((await dnsQuery({ server: `${dns.host}:${dns.port}`, name: 'gone.test', transport: 'udp' })).rcode).toBe(
        'NXDOMAIN',
      );
      server.removeRule('gone');
      server.removeRule('gone'); // nothing removed: no event
    } finally {
      unsubscribe(DNS_CHANNEL, onEvent);
      await server.close();
    }
    expect(seen.map((e) => [e.source, e.type])).toEqual([
      ['dns', 'dns.rule.added'],
      ['dns', 'dns.query'],
      ['dns', 'dns.rule.removed'],
    ]);
    expect(seen[1]).toMatchObject({ name: 'gone.test', qtype: 'A', rules: ['gone'], rcode: 'NXDOMAIN' });
    expect(seen[2]).toMatchObject({ id: 'gone' });
    // Every field is one the catalogue (and docs/events.md) lists for the type.
    for (const e of seen) {
      const listed = new Set<string>(EVENT_CATALOGUE[e.type as EventType].fields.map((f) => f.replace('?', '')));
      for (const key of Object.keys(e)) if (!['source', 'type', 'at'].includes(key)) expect(listed).toContain(key);
    }
  });
});
