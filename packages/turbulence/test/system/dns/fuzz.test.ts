/**
 * Bad input: random bytes, random headers with random bodies, many questions, oversized TCP length prefixes.
 * The server answers FORMERR (or drops what has no header), never crashes, and keeps serving.
 */
import type { Socket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsServer, dnsQuery, type DnsServer } from '../../../src/dns/index.js';
import { encodeMessage, type Answer } from '../../../src/dns/wire.js';
import { loopbackUdpClient } from '../../support/dns-upstream.js';
import { requireSystem } from '../../support/system.js';
import { startChaosInFront, type ChaosInFront, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('dnsmasq');

describe.skipIf(sys.skip)('chaos DNS server under malformed input', () => {
  let chaos: ChaosInFront;
  let upstream: Dnsmasq;
  let server: DnsServer;
  let port: number;
  let client: Socket;

  beforeAll(async () => {
    chaos = await startChaosInFront({ 'one.test': ['127.0.0.9'] }, { tcpIdleMs: 400, upstreamTimeoutMs: 500 });
    ({ upstream, server, port } = chaos);
    server.addRule({ action: 'ttl(1)', probability: 0.5 }); // half the answers go through decode, rewrite, encode
    client = await loopbackUdpClient();
  });
  afterAll(async () => {
    client?.close();
    await chaos?.close();
  });

  /** Sends bytes over UDP; resolves with the reply, or undefined when the server reports it dropped them. */
  const send = (bytes: Uint8Array) =>
    new Promise<Buffer | undefined>((resolve, reject) => {
      const onMsg = (msg: Buffer) => finish(msg);
      const finish = (msg?: Buffer) => {
        clearTimeout(timer);
        client.off('message', onMsg);
        resolve(msg);
      };
      const timer = setTimeout(() => reject(new Error('neither an answer nor a drop within 2 s')), 2000);
      server.once('query', (event) => {
        if (event.outcome === 'dropped') finish();
      });
      client.on('message', onMsg);
      client.send(bytes, port, '127.0.0.1');
    });

  const stillServes = async () => {
    expect(
      (await dnsQuery({ server: { host: '127.0.0.1', port }, name: 'one.test', timeoutMs: 1000 })).addresses,
    ).toEqual(['127.0.0.9']);
  };

  it('answers random bytes with a response carrying the same id, or not at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 700 }), async (bytes) => {
        const reply = await send(bytes);
        if (!reply) return true;
        expect(reply.length).toBeGreaterThanOrEqual(12);
        expect(reply.readUInt16BE(0)).toBe(Buffer.from(bytes).readUInt16BE(0));
        expect(reply.readUInt16BE(2) & 0x8000).toBe(0x8000);
        return true;
      }),
      { numRuns: 150, seed: 20261125 },
    );
    await stillServes();
  });

  it('answers queries with plausible headers and random bodies with FORMERR or a real answer', async () => {
    const header = fc.record({
      id: fc.integer({ min: 0, max: 0xffff }),
      counts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      body: fc.uint8Array({ minLength: 0, maxLength: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(header, async ({ id, counts, body }) => {
        const h = Buffer.alloc(12);
        h.writeUInt16BE(id, 0);
        h.writeUInt16BE(0x0100, 2);
        counts.forEach((c, i) => h.writeUInt16BE(c, 4 + i * 2));
        const reply = await send(Buffer.concat([h, body]));
        expect(reply).toBeDefined();
        expect(reply!.readUInt16BE(0)).toBe(id);
        const rcode = reply!.readUInt16BE(2) & 0xf;
        expect([0, 1, 2, 3, 4, 5]).toContain(rcode);
        return true;
      }),
      { numRuns: 100, seed: 7 },
    );
    await stillServes();
  });

  it('answers a query with three questions FORMERR', async () => {
    const q = Buffer.alloc(12);
    q.writeUInt16BE(77, 0);
    q.writeUInt16BE(0x0100, 2);
    q.writeUInt16BE(3, 4);
    const name = Buffer.from([3, 0x6f, 0x6e, 0x65, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]);
    const reply = await send(Buffer.concat([q, name, name, name]));
    expect(reply!.readUInt16BE(2) & 0xf).toBe(1);
  });

  it('closes a TCP connection whose length prefix promises more than it sends, and keeps serving others', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    const closed = new Promise<number>((resolve) => {
      const t0 = Date.now();
      socket.on('close', () => resolve(Date.now() - t0));
      socket.on('error', () => undefined);
    });
    socket.write(Buffer.from([0xff, 0xff, 1, 2, 3, 4, 5]));
    await stillServes();
    await expect(
      dnsQuery({ server: { host: '127.0.0.1', port }, name: 'one.test', transport: 'tcp' }),
    ).resolves.toMatchObject({
      rcode: 'NOERROR',
    });
    expect(await closed).toBeLessThan(3000);
  });

  it('survives random TCP streams, zero-length frames and abrupt closes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 400 }), async (bytes) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        await new Promise<void>((r) => socket.once('connect', () => r()));
        socket.end(bytes);
        await new Promise<void>((r) => {
          socket.once('close', () => r());
          setTimeout(() => (socket.destroy(), r()), 200);
        });
        return true;
      }),
      { numRuns: 60, seed: 11 },
    );
    await stillServes();
    expect(server.stats().queries).toBeGreaterThan(0);
  });

  it('takes mutated queries on the fast path (no rules, no listeners, cache on) without crashing', async () => {
    const fast = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, upstreamTimeoutMs: 300 });
    const at = (await fast.start()).dns;
    const valid = encodeMessage({
      type: 'query',
      id: 1,
      flags: 0x0100,
      questions: [{ name: 'one.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as Answer],
    });
    const mutation = fc.array(fc.record({ at: fc.nat(valid.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 3,
    });
    try {
      await fc.assert(
        fc.asyncProperty(mutation, async (changes) => {
          const bytes = Buffer.from(valid);
          for (const c of changes) bytes[c.at] = c.value;
          const reply = await new Promise<Buffer | undefined>((resolve) => {
            const timer = setTimeout(() => (client.off('message', onMsg), resolve(undefined)), 600);
            const onMsg = (msg: Buffer) => (clearTimeout(timer), client.off('message', onMsg), resolve(msg));
            client.on('message', onMsg);
            client.send(bytes, at.port, at.host);
          });
          if (reply) {
            expect(reply.readUInt16BE(0)).toBe(bytes.readUInt16BE(0));
            expect(reply.readUInt16BE(2) & 0x8000).toBe(0x8000);
          }
          return true;
        }),
        { numRuns: 80, seed: 2026 },
      );
      expect((await dnsQuery({ server: at, name: 'one.test', timeoutMs: 1000 })).addresses).toEqual(['127.0.0.9']);
    } finally {
      await fast.close();
    }
  });
});
