/**
 * The chaos DNS server against a real upstream (dnsmasq on a random loopback address), with real clients:
 * Node's c-ares resolver, our raw UDP/TCP client, and dig when it is installed.
 */
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDnsServer, dnsQuery, type DnsServer } from '../../../src/dns/index.js';
import { requireSystem, which } from '../../support/system.js';
import { startChaosInFront, type ChaosInFront, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('dnsmasq');
const SERVICE = 'svc.example.test';
const ADDRS = Array.from({ length: 48 }, (_, i) => `127.48.0.${i + 1}`);

describe.skipIf(sys.skip)('chaos DNS server in front of dnsmasq', () => {
  let chaos: ChaosInFront;
  let upstream: Dnsmasq;
  let server: DnsServer;
  let at: string;

  beforeAll(async () => {
    const hosts = { [SERVICE]: ADDRS, 'one.test': ['127.0.0.9'], 'two.test': ['127.0.0.10'] };
    chaos = await startChaosInFront(hosts, { seed: 7, upstreamTimeoutMs: 1000 });
    ({ upstream, server, at } = chaos);
  });
  afterAll(() => chaos?.close());
  afterEach(() => server.engine.clear());

  const resolver = () => {
    const r = new Resolver({ timeout: 1500, tries: 1 });
    r.setServers([at]);
    return r;
  };

  it('forwards queries over UDP and TCP unchanged when there are no rules', async () => {
    expect((await dnsQuery({ server: at, name: 'one.test', transport: 'udp' })).addresses).toEqual(['127.0.0.9']);
    expect((await dnsQuery({ server: at, name: 'one.test', transport: 'tcp' })).addresses).toEqual(['127.0.0.9']);
    expect((await dnsQuery({ server: at, name: 'missing.test' })).rcode).toBe('NXDOMAIN');
    expect(await resolver().resolve4('one.test')).toEqual(['127.0.0.9']);
  });

  it('passes the 48-record answer truncated on plain UDP and whole over TCP, so c-ares falls back and gets all 48', async () => {
    const udp = await dnsQuery({ server: at, name: SERVICE, transport: 'udp' });
    expect(udp.tc).toBe(true);
    expect(udp.addresses.length).toBeLessThan(48);
    const tcp = await dnsQuery({ server: at, name: SERVICE, transport: 'tcp' });
    expect(tcp.addresses.sort()).toEqual([...ADDRS].sort());
    expect((await resolver().resolve4(SERVICE)).length).toBe(48);
  });

  it('answers in full over UDP to a client that advertises a large EDNS(0) buffer', async () => {
    const r = await dnsQuery({ server: at, name: SERVICE, transport: 'udp', edns: 4096 });
    expect(r.tc).toBe(false);
    expect(r.addresses.length).toBe(48);
  });

  it('truncate: sets TC and strips the answer on UDP, answers fully over TCP', async () => {
    server.addRule({ name: 'one.test', action: 'truncate' });
    const udp = await dnsQuery({ server: at, name: 'one.test', transport: 'udp' });
    expect(udp).toMatchObject({ tc: true, rcode: 'NOERROR', addresses: [] });
    const auto = await dnsQuery({ server: at, name: 'one.test', transport: 'auto' });
    expect(auto).toMatchObject({ tc: true, transport: 'tcp', addresses: ['127.0.0.9'] });
    expect(await resolver().resolve4('one.test')).toEqual(['127.0.0.9']);
    expect((await dnsQuery({ server: at, name: 'two.test', transport: 'udp' })).tc).toBe(false);
  });

  it('truncate(oversize): strips only answers that do not fit (TC, zero records), like the incident servers', async () => {
    server.addRule({ name: SERVICE, action: 'truncate(oversize)' });
    server.addRule({ name: 'one.test', action: 'truncate(oversize)' });
    const before = server.stats().byTransport;
    // 48 records do not fit in 512 bytes: TC with no records at all (the upstream alone would keep what fits).
    expect(await dnsQuery({ server: at, name: SERVICE, transport: 'udp' })).toMatchObject({ tc: true, addresses: [] });
    // One record fits: untouched.
    expect(await dnsQuery({ server: at, name: 'one.test', transport: 'udp' })).toMatchObject({
      tc: false,
      addresses: ['127.0.0.9'],
    });
    // A client with a large EDNS(0) buffer gets it all over UDP; over TCP everyone does.
    expect((await dnsQuery({ server: at, name: SERVICE, transport: 'udp', edns: 4096 })).addresses).toHaveLength(48);
    expect((await dnsQuery({ server: at, name: SERVICE, transport: 'tcp' })).addresses).toHaveLength(48);
    const after = server.stats().byTransport;
    expect({ udp: after.udp - before.udp, tcp: after.tcp - before.tcp }).toEqual({ udp: 3, tcp: 1 });
  });

  it('nxdomain, servfail and refused answer with their rcode and c-ares reports them', async () => {
    server.addRule({ name: 'one.test', action: 'nxdomain' });
    server.addRule({ name: 'two.test', action: 'servfail' });
    server.addRule({ name: SERVICE, action: 'refused' });
    expect((await dnsQuery({ server: at, name: 'one.test' })).rcode).toBe('NXDOMAIN');
    expect((await dnsQuery({ server: at, name: 'two.test' })).rcode).toBe('SERVFAIL');
    expect((await dnsQuery({ server: at, name: SERVICE })).rcode).toBe('REFUSED');
    await expect(resolver().resolve4('one.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver().resolve4('two.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('drop: sends no answer, so the client times out', async () => {
    server.addRule({ name: 'one.test', action: 'drop' });
    await expect(dnsQuery({ server: at, name: 'one.test', transport: 'udp', timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TURB_ERR_TIMEOUT',
    });
    expect((await dnsQuery({ server: at, name: 'two.test', timeoutMs: 1000 })).addresses).toEqual(['127.0.0.10']);
  });

  it('delay(ms, jitter): answers late by ms ± jitter', async () => {
    server.addRule({ name: 'one.test', action: 'delay(150, 20)' });
    // The fastest of three samples: a busy machine may stall one query, not all three.
    const fastest = async (name: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) ms.push((await dnsQuery({ server: at, name, timeoutMs: 2000 })).latency_ms);
      return Math.min(...ms);
    };
    const delayed = await fastest('one.test');
    expect(delayed).toBeGreaterThanOrEqual(125);
    expect(delayed).toBeLessThan(600);
    expect(await fastest('two.test')).toBeLessThan(100);
  });

  it('answer(records): spoofs the answer for its type and answers NODATA for others', async () => {
    server.addRule({
      name: 'one.test',
      action: { type: 'answer', records: [{ type: 'A', data: '127.6.6.6', ttl: 5 }] },
    });
    const r = await dnsQuery({ server: at, name: 'one.test' });
    expect(r.answers).toEqual([{ name: 'one.test', type: 'A', ttl: 5, data: '127.6.6.6' }]);
    expect(await resolver().resolve4('one.test')).toEqual(['127.6.6.6']);
    const aaaa = await dnsQuery({ server: at, name: 'one.test', type: 'AAAA' });
    expect(aaaa).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('ttl(n): rewrites the TTL of the upstream answer', async () => {
    server.addRule({ name: 'one.test', action: 'ttl(3)' });
    const r = await dnsQuery({ server: at, name: 'one.test' });
    expect(r.answers.map((a) => a.ttl)).toEqual([3]);
    const ttls = await resolver().resolve4('one.test', { ttl: true });
    expect(ttls).toEqual([{ address: '127.0.0.9', ttl: 3 }]);
  });

  it('inflate(n): pads the answer past 512 bytes so UDP truncates naturally and TCP carries it all', async () => {
    server.addRule({ name: 'one.test', action: 'inflate(40)' });
    const udp = await dnsQuery({ server: at, name: 'one.test', transport: 'udp' });
    expect(udp.tc).toBe(true);
    const tcp = await dnsQuery({ server: at, name: 'one.test', transport: 'tcp' });
    expect(tcp.addresses.length).toBe(41);
    expect(tcp.addresses[0]).toBe('127.0.0.9');
    expect(tcp.addresses).toContain('198.18.0.40');
    const small = await dnsQuery({ server: at, name: 'one.test', transport: 'udp', edns: 1232 });
    expect(small).toMatchObject({ tc: false });
    expect(small.addresses.length).toBe(41);
  });

  it('flip-case: swaps the case of the names in the response', async () => {
    server.addRule({ name: 'one.test', action: 'flip-case' });
    const r = await dnsQuery({ server: at, name: 'One.test' });
    expect(r.answers[0]?.name).toBe('oNE.TEST');
  });

  it('tcp-refuse: resets the TCP fallback, so even RFC 7766 clients fail on a truncated name', async () => {
    server.addRule({ name: SERVICE, action: 'tcp-refuse' });
    const udp = await dnsQuery({ server: at, name: SERVICE, transport: 'udp' });
    expect(udp.tc).toBe(true);
    await expect(dnsQuery({ server: at, name: SERVICE, transport: 'tcp' })).rejects.toMatchObject({
      code: 'TURB_ERR_UNAVAILABLE',
    });
    await expect(resolver().resolve4(SERVICE)).rejects.toBeTruthy();
  });

  it('matches by type, client address and transport', async () => {
    server.addRule({ name: 'one.test', type: 'AAAA', action: 'nxdomain' });
    server.addRule({ name: 'two.test', client: '10.0.0.0/8', action: 'nxdomain' });
    server.addRule({ name: 'two.test', transport: 'tcp', action: 'servfail' });
    expect((await dnsQuery({ server: at, name: 'one.test', type: 'A' })).rcode).toBe('NOERROR');
    expect((await dnsQuery({ server: at, name: 'one.test', type: 'AAAA' })).rcode).toBe('NXDOMAIN');
    expect((await dnsQuery({ server: at, name: 'two.test', transport: 'udp' })).rcode).toBe('NOERROR');
    expect((await dnsQuery({ server: at, name: 'two.test', transport: 'tcp' })).rcode).toBe('SERVFAIL');
  });

  it('applies a rule with probability and count reproducibly from the seed', async () => {
    const runOnce = async (seed: number) => {
      const s = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, seed });
      const { dns } = await s.start();
      s.addRule({ name: 'one.test', action: 'nxdomain', probability: 0.5, count: 8 });
      const out: string[] = [];
      for (let i = 0; i < 30; i++) out.push((await dnsQuery({ server: dns, name: 'one.test' })).rcode);
      const [rule] = s.listRules();
      await s.close();
      return { out, rule };
    };
    const a = await runOnce(99);
    const b = await runOnce(99);
    expect(a.out).toEqual(b.out);
    expect(a.out.filter((r) => r === 'NXDOMAIN').length).toBe(8);
    expect(a.rule).toMatchObject({ matched: 30, hits: 8 });
  });

  it('answers SERVFAIL when the upstream does not answer', async () => {
    const s = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', upstreamTimeoutMs: 200 });
    const { dns } = await s.start();
    try {
      expect((await dnsQuery({ server: dns, name: 'one.test' })).rcode).toBe('SERVFAIL');
    } finally {
      await s.close();
    }
  });

  it.skipIf(!which('dig'))('is seen the same way by dig: TC on UDP, full answer with +tcp', async () => {
    server.addRule({ name: 'one.test', action: 'truncate' });
    const dig = promisify(execFile);
    const [host, port] = at.split(':') as [string, string];
    const udp = await dig('dig', [`@${host}`, '-p', port, '+notcp', '+ignore', '+noedns', '+tries=1', 'one.test']);
    expect(udp.stdout).toMatch(/flags: qr [^;]*tc/);
    const tcp = await dig('dig', [`@${host}`, '-p', port, '+tcp', '+short', '+tries=1', 'one.test']);
    expect(tcp.stdout.trim()).toBe('127.0.0.9');
  });
});
