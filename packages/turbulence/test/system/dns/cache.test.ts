/**
 * The answer cache against a real dnsmasq that logs every query it receives, so each test counts what reached
 * the upstream: hits, TTL decrement and expiry, case echo, EDNS/DO separation, truncated answers, rules on cached
 * answers, `cache: false`, and negative caching from an authoritative zone (SOA in the answer).
 */
import { Command } from 'commander';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCacheCommands } from '../../../src/cli/commands/dns/cache.js';
import { createDnsServer, dnsQuery, type DnsServer } from '../../../src/dns/index.js';
import { decodeMessage, encodeMessage, type Answer, type DnsMessage } from '../../../src/dns/wire.js';
import { requireSystem } from '../../support/system.js';
import { startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('dnsmasq');
const BIG = 'big.test';
const BIG_ADDRS = Array.from({ length: 48 }, (_, i) => `127.48.0.${i + 1}`);
const TTL = 3;

/** One raw UDP exchange (for the DO bit and the exact question bytes). */
async function rawQuery(
  server: { host: string; port: number },
  name: string,
  edns?: { do: boolean },
): Promise<DnsMessage> {
  const socket = createSocket('udp4');
  try {
    const id = Math.floor(Math.random() * 65536);
    const query = encodeMessage({
      type: 'query',
      id,
      flags: 0x0100,
      questions: [{ name, type: 'A', class: 'IN' }],
      additionals: edns
        ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: edns.do ? 0x8000 : 0 } as Answer]
        : [],
    });
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref();
    });
    socket.send(query, server.port, server.host);
    const msg = decodeMessage(await reply);
    expect(msg.id).toBe(id);
    return msg;
  } finally {
    socket.close();
  }
}

describe.skipIf(sys.skip)('the answer cache in front of dnsmasq', () => {
  let upstream: Dnsmasq;
  let server: DnsServer;
  let at: { host: string; port: number };

  beforeAll(async () => {
    upstream = await startDnsmasq(
      {
        'one.test': ['127.0.0.9'],
        'two.test': ['127.0.0.10'],
        'case.test': ['127.0.0.11'],
        'do.test': ['127.0.0.12'],
        'rules.test': ['127.0.0.13'],
        'nocache.test': ['127.0.0.14'],
        'flush.test': ['127.0.0.15'],
        [BIG]: BIG_ADDRS,
      },
      { args: [`--local-ttl=${TTL}`], logQueries: true },
    );
    server = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, upstreamTimeoutMs: 1000 });
    at = (await server.start()).dns;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.stop();
  });
  afterEach(() => server.engine.clear());

  it('serves repeated queries from the cache: the upstream sees one query', async () => {
    const before = server.stats().cache?.hits ?? 0;
    for (let i = 0; i < 5; i++) {
      expect((await dnsQuery({ server: at, name: 'one.test', transport: 'udp' })).addresses).toEqual(['127.0.0.9']);
    }
    const resolver = new Resolver({ timeout: 1500, tries: 1 });
    resolver.setServers([`${at.host}:${at.port}`]);
    expect(await resolver.resolve4('one.test')).toEqual(['127.0.0.9']);
    expect(upstream.queries('one.test')).toBe(1);
    expect(server.stats().cache?.hits).toBe(before + 5);
  });

  it('decrements the TTL on hits and asks the upstream again once it ran out', async () => {
    const first = await dnsQuery({ server: at, name: 'two.test' });
    const t0 = performance.now();
    expect(first.answers[0]?.ttl).toBe(TTL);
    await sleep(1100);
    const later = await dnsQuery({ server: at, name: 'two.test' });
    expect(later.answers[0]?.ttl).toBeLessThan(TTL); // TTL - 1, or less on a stalled machine
    expect(later.answers[0]?.ttl).toBeGreaterThanOrEqual(1);
    expect(upstream.queries('two.test')).toBe(1);
    await sleep(TTL * 1000 + 100 - (performance.now() - t0));
    const fresh = await dnsQuery({ server: at, name: 'two.test' });
    expect(fresh.answers[0]?.ttl).toBe(TTL);
    expect(upstream.queries('two.test')).toBe(2);
  });

  it('echoes the question as the client wrote it (case, DNS 0x20) from the cache', async () => {
    await rawQuery(at, 'case.test');
    const hit = await rawQuery(at, 'CaSe.TeSt');
    expect(hit.questions?.[0]?.name).toBe('CaSe.TeSt');
    expect(hit.answers?.[0]).toMatchObject({ type: 'A', data: '127.0.0.11' });
    expect(upstream.queries('case.test')).toBe(1);
  });

  it('keeps answers to queries with and without EDNS(0) and the DO bit apart', async () => {
    const plain = await rawQuery(at, 'do.test');
    const edns = await rawQuery(at, 'do.test', { do: false });
    const dnssec = await rawQuery(at, 'do.test', { do: true });
    expect(upstream.queries('do.test')).toBe(3);
    expect(plain.additionals ?? []).toEqual([]);
    expect(edns.additionals?.[0]?.type).toBe('OPT');
    await rawQuery(at, 'do.test', { do: true });
    await rawQuery(at, 'do.test');
    expect(upstream.queries('do.test')).toBe(3);
    expect(dnssec.additionals?.[0]).toMatchObject({ type: 'OPT', flag_do: true });
  });

  it('never caches truncated answers; the full answers over TCP and to an EDNS(0) client are cached', async () => {
    expect((await dnsQuery({ server: at, name: BIG, transport: 'udp' })).tc).toBe(true);
    expect((await dnsQuery({ server: at, name: BIG, transport: 'udp' })).tc).toBe(true);
    const tcp = await dnsQuery({ server: at, name: BIG, transport: 'tcp' });
    expect(tcp.addresses).toHaveLength(48);
    const afterTcp = upstream.queries(BIG);
    expect(afterTcp).toBeGreaterThanOrEqual(3); // two UDP queries, then UDP (TC) + TCP for the TCP client
    expect((await dnsQuery({ server: at, name: BIG, transport: 'tcp' })).addresses).toHaveLength(48);
    expect(upstream.queries(BIG)).toBe(afterTcp);
    // With EDNS(0) it is another key; its 802-byte answer fits 1232 bytes, so it is cached too.
    for (let i = 0; i < 2; i++) {
      const big = await dnsQuery({ server: at, name: BIG, transport: 'udp', edns: 1232 });
      expect(big).toMatchObject({ tc: false });
      expect(big.addresses).toHaveLength(48);
    }
    expect(upstream.queries(BIG)).toBe(afterTcp + 1);
  });

  it('applies rules to every query, cached or not, and caches only what the upstream said', async () => {
    await dnsQuery({ server: at, name: 'rules.test' }); // cached now
    server.addRule({ name: 'rules.test', action: 'ttl(1000)' });
    expect((await dnsQuery({ server: at, name: 'rules.test' })).answers[0]?.ttl).toBe(1000);
    server.addRule({ name: 'rules.test', action: 'truncate' });
    expect(await dnsQuery({ server: at, name: 'rules.test', transport: 'udp' })).toMatchObject({ tc: true });
    server.engine.clear();
    server.addRule({ name: 'rules.test', action: 'nxdomain' });
    expect((await dnsQuery({ server: at, name: 'rules.test' })).rcode).toBe('NXDOMAIN');
    server.engine.clear();
    const clean = await dnsQuery({ server: at, name: 'rules.test', transport: 'udp' });
    expect(clean).toMatchObject({ tc: false, rcode: 'NOERROR', addresses: ['127.0.0.13'] });
    expect(clean.answers[0]?.ttl).toBeLessThanOrEqual(TTL);
    expect(upstream.queries('rules.test')).toBe(1);
  });

  it('forgets every answer on DELETE /cache (`turbulence dns cache clear`); 404 when the cache is off', async () => {
    const withApi = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, api: '127.0.0.1:0' });
    const off = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: upstream.address,
      api: '127.0.0.1:0',
      cache: false,
    });
    try {
      const { dns, api } = await withApi.start();
      const offApi = (await off.start()).api as string;
      const cli = async (...args: string[]) => {
        const lines: string[] = [];
        vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
        try {
          const program = new Command('turbulence').exitOverride();
          registerCacheCommands(program.command('dns'));
          await program.parseAsync(['node', 'turbulence', 'dns', 'cache', ...args]);
        } finally {
          vi.restoreAllMocks();
        }
        return lines.join('\n');
      };
      await dnsQuery({ server: dns, name: 'flush.test' });
      await dnsQuery({ server: dns, name: 'flush.test' });
      expect(upstream.queries('flush.test')).toBe(1);
      expect(await cli('stats', '--api', api as string)).toMatch(/^1\/10000 answers held; hits 1, misses 1, /);
      expect(await cli('clear', '--api', api as string)).toBe('cleared the answer cache');
      expect(withApi.stats().cache?.entries).toBe(0);
      expect((await dnsQuery({ server: dns, name: 'flush.test' })).addresses).toEqual(['127.0.0.15']);
      expect(upstream.queries('flush.test')).toBe(2);
      expect(await cli('stats', '--api', offApi)).toBe('the answer cache is off (--no-cache)');
      await expect(cli('clear', '--api', offApi)).rejects.toThrow('the answer cache is off (--no-cache)');
    } finally {
      await withApi.close();
      await off.close();
    }
  });

  it('with cache: false, every query reaches the upstream', async () => {
    const direct = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, cache: false });
    const { dns } = await direct.start();
    try {
      for (let i = 0; i < 3; i++) await dnsQuery({ server: dns, name: 'nocache.test' });
      expect(upstream.queries('nocache.test')).toBe(3);
      expect(direct.stats().cache).toBeUndefined();
    } finally {
      await direct.close();
    }
  });
});

describe.skipIf(sys.skip)('negative caching from an authoritative dnsmasq zone (RFC 2308)', () => {
  let upstream: Dnsmasq;
  let server: DnsServer;
  let at: { host: string; port: number };

  beforeAll(async () => {
    upstream = await startDnsmasq(
      { 'svc.zone.test': ['127.0.0.20'] },
      { logQueries: true, authZone: { zone: 'zone.test', ttl: 2 } },
    );
    server = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, upstreamTimeoutMs: 1000 });
    at = (await server.start()).dns;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.stop();
  });

  it('caches NXDOMAIN and NODATA for the SOA minimum, then asks again', async () => {
    const nx = await dnsQuery({ server: at, name: 'missing.zone.test' });
    expect(nx.rcode).toBe('NXDOMAIN');
    expect((await dnsQuery({ server: at, name: 'missing.zone.test' })).rcode).toBe('NXDOMAIN');
    const nodata = await dnsQuery({ server: at, name: 'svc.zone.test', type: 'AAAA' });
    expect(nodata).toMatchObject({ rcode: 'NOERROR', answers: [] });
    await dnsQuery({ server: at, name: 'svc.zone.test', type: 'AAAA' });
    expect(upstream.queries('missing.zone.test')).toBe(1);
    expect(upstream.queries('svc.zone.test')).toBe(1);
    await sleep(2100);
    expect((await dnsQuery({ server: at, name: 'missing.zone.test' })).rcode).toBe('NXDOMAIN');
    expect(upstream.queries('missing.zone.test')).toBe(2);
  });
});
