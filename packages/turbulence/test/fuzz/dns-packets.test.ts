/**
 * Fuzzing the chaos DNS server with DNS packets (issue 14, "Done when"): random bytes and mutations of valid
 * queries (bit flips, truncations, splices, wrong counts, huge EDNS sizes, compression loops) over UDP and TCP, to a
 * real `DnsServer` on loopback whose rules use every action, in front of a local upstream. Fixed seeds and bounded
 * runs (seconds). The server must not crash, must not hang (every UDP packet is answered or reported dropped within
 * a bound; TCP connections close), and must answer a valid query afterwards.
 */
import type { Socket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsServer, dnsQuery, type DnsServer } from '../../src/dns/index.js';
import { encodeMessage } from '../../src/dns/wire.js';
import { loopbackUdpClient, startTestUpstream, type TestUpstream } from '../support/dns-upstream.js';

const NAMES = ['one.test', 'a.b.c.d.test', 'x', 'très.test', 'slow.test', `${'l'.repeat(63)}.test`];
const TYPES = ['A', 'AAAA', 'TXT', 'MX', 'SRV', 'CNAME', 'ANY', 'NS', 'SOA', 'PTR'] as const;

/** A valid query: one question, optional EDNS(0) with any payload size. */
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom(...TYPES),
    edns: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
  })
  .map(({ id, name, type, edns }) =>
    encodeMessage({
      type: 'query',
      id,
      flags: 0x0100,
      questions: [{ name, type: type as 'A', class: 'IN' }], // ANY too: dns-packet encodes it
      additionals: edns === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: edns } as never],
    }),
  );

/** A mutation of a valid query. */
const mutated = fc
  .tuple(
    validQuery,
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ op: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
        fc.record({ op: fc.constant('loop' as const), at: fc.nat() }), // a compression pointer to itself
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([query, ops]) => {
    let buf = Buffer.from(query);
    for (const m of ops) {
      const at = buf.length === 0 ? 0 : m.at % buf.length;
      if (m.op === 'flip' && buf.length > 0) buf[at] = (buf[at] as number) ^ (1 << m.bit);
      else if (m.op === 'set' && buf.length > 0) buf[at] = m.value;
      else if (m.op === 'cut') buf = buf.subarray(0, at);
      else if (m.op === 'splice') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
      else if (m.op === 'loop' && at + 1 < buf.length) {
        buf[at] = 0xc0 | ((at >> 8) & 0x3f);
        buf[at + 1] = at & 0xff;
      }
    }
    return buf;
  });

const packet = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) },
  { weight: 3, arbitrary: mutated },
);

describe('DNS packet fuzzing: a real server survives random and mutated packets', { timeout: 120_000 }, () => {
  let upstream: TestUpstream;
  let server: DnsServer;
  let port: number;
  let client: Socket;

  /** Every action, each on part of the traffic, so mutated queries also go through decode, rewrite and encode. */
  const addRules = () => {
    for (const action of ['ttl(1)', 'inflate(20)', 'flip-case', 'truncate', 'servfail', 'delay(5)']) {
      server.addRule({ action, probability: 0.15 });
    }
    server.addRule({
      name: '*.test',
      type: 'A',
      action: { type: 'answer', records: [{ type: 'A', data: '10.9.9.9' }] },
      probability: 0.2,
    });
    server.addRule({ name: '/^(a|b)+\\.c/', action: 'nxdomain' });
    server.addRule({ transport: 'tcp', action: 'tcp-refuse', probability: 0.05 });
    server.addRule({ action: 'drop', probability: 0.05 });
  };

  beforeAll(async () => {
    upstream = await startTestUpstream();
    server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: upstream.address,
      tcpIdleMs: 300,
      upstreamTimeoutMs: 500,
      seed: 14,
    });
    addRules();
    port = (await server.start()).dns.port;
    client = await loopbackUdpClient();
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
    await upstream?.close();
  });

  /** Sends over UDP; resolves once the server answered or reported the packet handled; rejects after 3 s. */
  const sendUdp = (bytes: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        client.off('message', done);
        server.off('query', done);
        resolve();
      };
      const timer = setTimeout(() => {
        client.off('message', done);
        server.off('query', done);
        reject(new Error(`no answer and no query event within 3 s for ${bytes.toString('hex')}`));
      }, 3000);
      client.on('message', done);
      server.on('query', done);
      client.send(bytes, port, '127.0.0.1');
    });

  /** Sends frames over one TCP connection (length prefixes as given); resolves when it closes or after 1 s. */
  const sendTcp = (frames: Buffer[], rawPrefix: boolean) =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      const timer = setTimeout(() => (socket.destroy(), resolve()), 1000);
      socket.once('close', () => (clearTimeout(timer), resolve()));
      socket.once('connect', () => {
        for (const f of frames) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(rawPrefix ? f.length ^ 0x5a : f.length);
          socket.write(Buffer.concat([len, f]));
        }
        socket.end();
      });
    });

  /** With the rules out of the way (they spoof, inflate, truncate...), a valid query gets the upstream's answer. */
  const stillAnswers = async () => {
    for (const r of server.listRules()) server.removeRule(r.id);
    for (const transport of ['udp', 'tcp'] as const) {
      const res = await dnsQuery({
        server: { host: '127.0.0.1', port },
        name: 'fine.example',
        transport,
        timeoutMs: 2000,
      });
      expect(res.rcode).toBe('NOERROR');
      expect(res.addresses).toEqual(['10.0.0.1']);
    }
    addRules();
  };

  it('handles every UDP packet (answer or drop) without crashing, then still answers', async () => {
    await fc.assert(
      fc.asyncProperty(packet, async (bytes) => {
        await sendUdp(bytes);
      }),
      { numRuns: 300, seed: 1414 },
    );
    await stillAnswers();
  });

  it('survives pipelined TCP frames (valid, mutated, wrong length prefixes), then still answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(packet, { minLength: 1, maxLength: 5 }), fc.boolean(), async (frames, raw) => {
        await sendTcp(frames, raw);
      }),
      { numRuns: 80, seed: 1415 },
    );
    await stillAnswers();
  });

  it('survives a burst of packets on the fast path (no listener), then still answers', async () => {
    const burst = fc.sample(packet, { numRuns: 400, seed: 1416 });
    for (const bytes of burst) client.send(bytes, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    await stillAnswers();
  });
});
