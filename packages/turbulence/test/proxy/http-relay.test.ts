/**
 * The plain forward of an http proxy (`src/proxy/http/relay.ts`, undici towards the upstream) with raw-socket
 * clients against a real `node:http` upstream: backpressure from a slow client reaches the upstream, a client
 * that leaves stops its upstream request, headers arrive as the client sent them, and the requests undici would
 * send differently (HTTP/1.0 without Host, `OPTIONS *`) still arrive as they came.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyServer } from '../../src/proxy/index.js';
import { eventually } from '../support/eventually.js';
import { cleanup, dial, portOf, proxyServer } from './helpers.js';
import { exchange } from './http-support.js';

const HUGE = 32 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'h');

let server: ProxyServer;
let port: number;
// Without requireHostHeader: the proxy sends HTTP/1.1 upstream, and a Host-less HTTP/1.0 request stays Host-less.
const upstream = createServer({ requireHostHeader: false }, route);
let hugeFinished = false;
let hangClosed = 0;

/** `/huge`: 32 MiB in 64 KiB writes that wait for drain; `/hang`: never answers; else: what arrived, as JSON. */
function route(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/huge') {
    hugeFinished = false;
    res.writeHead(200, { 'content-length': HUGE });
    let sent = 0;
    const more = (): void => {
      while (sent < HUGE) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', more);
      }
      res.end(() => (hugeFinished = true));
    };
    return more();
  }
  if (req.url === '/hang') return void req.socket.once('close', () => hangClosed++);
  req.resume();
  res.end(JSON.stringify({ method: req.method, url: req.url, version: req.httpVersion, raw: req.rawHeaders }));
}

beforeAll(async () => {
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  server = await proxyServer();
  const upstreamPort = (upstream.address() as { port: number }).port;
  const proxy = await server.createProxy({ name: 'relay', upstream: `127.0.0.1:${upstreamPort}`, protocol: 'http' });
  port = portOf(proxy.listen);
});
afterAll(async () => {
  await cleanup();
  upstream.closeAllConnections();
  upstream.close();
});

/** The JSON body of the one response in `got`. */
function seen(got: string): { method: string; url: string; version: string; raw: string[] } {
  return JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as ReturnType<typeof seen>;
}

/** Sends `text` on a new connection and returns the JSON the upstream answered with. */
async function ask(text: string): Promise<ReturnType<typeof seen>> {
  const socket = await dial(port);
  const { got } = await exchange(socket, text, (g) => g.includes('\r\n\r\n') && g.trimEnd().endsWith('}'));
  socket.destroy();
  return seen(got);
}

describe('http proxy relay', () => {
  it('holds the upstream back while the client does not read, then delivers every byte', async () => {
    const socket: Socket = await dial(port);
    socket.pause();
    socket.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Socket buffers hold a few MiB at most: without backpressure the upstream would be done by now.
    expect(hugeFinished).toBe(false);
    let body = -1;
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (body >= 0) body += d.length;
      else {
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) body = Buffer.byteLength(head, 'latin1') - end - 4;
      }
    });
    socket.resume();
    expect(await eventually(() => body === HUGE, 20_000)).toBe(true);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(hugeFinished).toBe(true);
    socket.destroy();
  });

  it('stops the upstream request of a client that leaves before the answer, and keeps serving', async () => {
    const before = hangClosed;
    const socket = await dial(port);
    socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    expect(await eventually(() => hangClosed === before + 1, 5000)).toBe(true);
    expect((await ask('GET /after HTTP/1.1\r\nHost: x\r\n\r\n')).url).toBe('/after');
  });

  it("forwards the client's Host and end-to-end headers, not the hop-by-hop ones", async () => {
    const got = await ask(
      'GET /h?q=1 HTTP/1.1\r\nX-Before: 1\r\nHost: front.test\r\nConnection: keep-alive, X-Private\r\nX-Private: no\r\nX-After: 2\r\n\r\n',
    );
    expect(got.url).toBe('/h?q=1');
    const names = got.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(got.raw[names.indexOf('host') * 2 + 1]).toBe('front.test');
    expect(names).toEqual(expect.arrayContaining(['x-before', 'x-after']));
    expect(names).not.toContain('x-private');
  });

  it('sends requests undici would change as they came: HTTP/1.0 without Host, OPTIONS *', async () => {
    const old = await ask('GET /old HTTP/1.0\r\nX-Old: 1\r\n\r\n');
    expect(old.url).toBe('/old');
    expect(old.raw.map((n) => n.toLowerCase())).not.toContain('host');
    const star = await ask('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect([star.method, star.url]).toEqual(['OPTIONS', '*']);
  });
});
