/**
 * Fuzzing the HTTP parser path of a `protocol: http` proxy with fast-check (fixed seed, bounded runs): mutated
 * and random requests from clients, and mutated and random responses from an upstream. Whatever the bytes, each
 * connection ends (an answer or a close) within a bound, the process never crashes, the errors are counted, and
 * the proxy still serves a well-formed request afterwards.
 */
import fc from 'fast-check';
import { once } from 'node:events';
import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { cleanup, tcpServer } from '../proxy/helpers.js';
import { upstreamHttp } from '../proxy/http-support.js';

const SEED = 20261207;

const VALID = [
  'GET /api/x?q=1 HTTP/1.1\r\nHost: a\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc',
  'POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'PUT /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi',
  'GET / HTTP/1.0\r\n\r\n',
];

/** A valid request with random bytes overwritten, inserted or cut, or plain random bytes. */
const mutated = fc.oneof(
  fc
    .tuple(fc.constantFrom(...VALID), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(3))))
    .map(([text, edits]) => {
      const bytes = [...Buffer.from(text)];
      for (const [at, byte, how] of edits) {
        const i = at % (bytes.length + 1);
        if (how === 0) bytes[i] = byte;
        else if (how === 1) bytes.splice(i, 0, byte);
        else bytes.splice(i, 1);
      }
      return Buffer.from(bytes);
    }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc
    .array(
      fc.constantFrom(
        'GET ',
        '/',
        ' HTTP/1.1',
        '\r\n',
        ':',
        'Host',
        'Content-Length: ',
        '-1',
        '99999999999',
        'Transfer-Encoding: chunked',
        'zz',
        '\n',
        '\0',
      ),
      { maxLength: 20 },
    )
    .map((parts) => Buffer.from(parts.join(''))),
);

/** Sends `bytes` on a fresh connection; resolves when it closes or after `ms`, never rejecting. */
function poke(port: number, bytes: Buffer, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect', () => socket.end(bytes));
  });
}

let server: ProxyServer;
let upstream: Awaited<ReturnType<typeof upstreamHttp>>;
beforeAll(async () => {
  upstream = await upstreamHttp();
  server = await createProxyServer({ port: 0, seed: 1 });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
  await cleanup();
});

describe('http proxy fuzz', () => {
  it('survives any client bytes: each connection ends, errors are counted, the proxy still serves', async () => {
    const proxy = await server.createProxy({ name: 'c', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
    server.addToxic('c', { type: 'http_header', attributes: { name: 'X-F', value: '1', path: '/api/*' } });
    const port = Number(proxy.listen.split(':')[1]);
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: 40, maxLength: 40 }), async (inputs) => {
        await Promise.all(inputs.map((bytes) => poke(port, bytes, 800)));
        const res = await request(`http://${proxy.listen}/api/after`);
        await res.body.text();
        return res.statusCode === 200 && res.headers['x-f'] === '1';
      }),
      { seed: SEED, numRuns: 6 },
    );
    expect(server.proxies.get('c').http.errors.client).toBeGreaterThan(0);
  });

  it('survives any HTTP/2 client bytes after the preface: each connection ends, errors counted, h2 still served', async () => {
    const proxy = await server.createProxy({ name: 'h2', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
    const port = Number(proxy.listen.split(':')[1]);
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]); // an empty SETTINGS frame
    // A HEADERS frame of a GET / on stream 1 (HPACK static table: :method GET, :path /, :scheme http) + :authority.
    const headers = Buffer.from([0, 0, 5, 1, 5, 0, 0, 0, 1, 0x82, 0x84, 0x86, 0x41, 0x80]);
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.concat([preface, Buffer.from(a)])),
      fc
        .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))), fc.boolean())
        .map(([edits, withSettings]) => {
          const bytes = [...(withSettings ? Buffer.concat([settings, headers]) : headers)];
          for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
          return Buffer.concat([preface, Buffer.from(bytes)]);
        }),
    );
    const { connect: h2connect } = await import('node:http2');
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 20, maxLength: 20 }), async (inputs) => {
        await Promise.all(inputs.map((bytes) => poke(port, bytes, 800)));
        const session = h2connect(`http://${proxy.listen}`);
        session.on('error', () => {});
        try {
          const req = session.request({ ':path': '/after' });
          req.on('error', () => {});
          const [h] = (await once(req, 'response')) as [Record<string, unknown>];
          req.resume();
          return h[':status'] === 200;
        } finally {
          session.destroy();
        }
      }),
      { seed: SEED, numRuns: 4 },
    );
    expect(server.proxies.get('h2').http.errors.client).toBeGreaterThan(0);
  });

  it('survives any upstream bytes: a 502 or a closed connection, errors counted, never a crash', async () => {
    let reply = Buffer.alloc(0);
    const bad = await tcpServer((s) => s.once('data', () => s.end(reply)));
    const proxy = await server.createProxy({ name: 'u', upstream: `127.0.0.1:${bad.port}`, protocol: 'http' });
    const responses = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc
        .tuple(
          fc.constantFrom(
            'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
            'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
          ),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
        )
        .map(([text, at, byte]) => {
          const b = Buffer.from(text);
          b[at % b.length] = byte;
          return b;
        }),
    );
    await fc.assert(
      fc.asyncProperty(responses, async (bytes) => {
        reply = bytes;
        const res = await request(`http://${proxy.listen}/x`, { headersTimeout: 3000, bodyTimeout: 3000 }).catch(
          () => undefined,
        );
        await res?.body.text().catch(() => undefined);
        return res === undefined || (res.statusCode >= 100 && res.statusCode <= 599);
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(server.proxies.get('u').http.errors.upstream).toBeGreaterThan(0);
    expect((await request(`http://${server.proxies.get('c').listen}/ok`)).statusCode).toBe(200);
  });
});
