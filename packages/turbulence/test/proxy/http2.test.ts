/**
 * HTTP/2 on `protocol: http` proxies, with real `node:http2` clients and a real upstream that speaks HTTP/1.1
 * and h2c on one port: h2c with prior knowledge and h2 by TLS ALPN (h2 and http/1.1 chosen per connection), the
 * same HTTP toxics with the same match rules and seeded toxicity as HTTP/1.1, per-request decisions in
 * `/proxies/{name}/connections`, the metrics, trailers, and an HTTP/1.1-only upstream behind an h2 client.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient, type ProxyServer } from '../../src/proxy/index.js';
import { testCa } from '../../src/proxy/tls/ca.js';
import { h2get, h2session, upstreamDual } from './h2-support.js';
import { cleanup, proxyServer } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'tb-h2-'));
process.env.TURBULENCE_HOME = home;

let upstream: Awaited<ReturnType<typeof upstreamDual>>;
let server: ProxyServer;
let api: ProxyClient;
let base: string;
let session: ClientHttp2Session;
const sessions: ClientHttp2Session[] = [];

beforeAll(async () => {
  upstream = await upstreamDual();
  server = await proxyServer({ seed: 21 });
  api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'h2', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
  base = `http://${proxy.listen}`;
  session = open(base);
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await cleanup();
  await upstream.close();
  rmSync(home, { recursive: true, force: true });
});

function open(url: string, options = {}): ClientHttp2Session {
  const s = h2session(url, options);
  sessions.push(s);
  return s;
}

async function withToxic<T>(toxic: Parameters<ProxyClient['addToxic']>[1], fn: () => Promise<T>): Promise<T> {
  const added = await api.addToxic('h2', toxic);
  try {
    return await fn();
  } finally {
    await api.removeToxic('h2', added.name);
  }
}

describe('HTTP/2 through an http proxy', () => {
  it('forwards h2c with prior knowledge to an h2c upstream, trailers included', async () => {
    const seen = await h2get(session, '/echo?x=1', { 'x-tenant': 'blue' });
    expect(seen.status).toBe(200);
    expect(seen.body).toBe('GET /echo?x=1 2.0 ');
    expect(seen.headers['x-seen-x-tenant']).toBe('blue');
    const posted = await h2get(session, '/echo', {}, 'payload');
    expect(posted.body).toBe('POST /echo 2.0 payload');
    const withTrailers = await h2get(session, '/trailers');
    expect(withTrailers.body).toBe('one,two');
    expect(withTrailers.trailers['x-sum']).toBe('42');
  });

  it('applies every HTTP toxic to h2 streams, with its HTTP/2 meaning', async () => {
    const status = await withToxic(
      { name: 's', type: 'http_status', attributes: { status: 418, body: 'teapot', headers: 'Retry-After: 5' } },
      () => h2get(session, '/echo'),
    );
    expect([status.status, status.body, status.headers['retry-after']]).toEqual([418, 'teapot', '5']);
    // http_abort resets the stream (RST_STREAM), not the connection: the session keeps working.
    const abort = await withToxic({ name: 'a', type: 'http_abort', attributes: { path: '/echo' } }, () =>
      h2get(session, '/echo'),
    );
    expect(abort.error).toBe('ERR_HTTP2_STREAM_ERROR');
    const mid = await withToxic({ name: 'm', type: 'http_abort', attributes: { when: 'mid', bytes: 3 } }, () =>
      h2get(session, '/trailers'),
    );
    expect([mid.status, mid.body, mid.error]).toEqual([200, 'one', 'ERR_HTTP2_STREAM_ERROR']);
    const delay = await withToxic({ name: 'd', type: 'http_delay', attributes: { delay: 400 } }, () =>
      h2get(session, '/echo'),
    );
    expect(delay.status).toBe(200);
    expect(delay.ms).toBeGreaterThanOrEqual(380);
    const header = await withToxic(
      { name: 'h', type: 'http_header', stream: 'upstream', attributes: { name: 'X-Chaos', value: 'yes' } },
      () => h2get(session, '/echo'),
    );
    expect(header.headers['x-seen-x-chaos']).toBe('yes');
    const body = await withToxic({ name: 'b', type: 'http_body', attributes: { body: 'replaced' } }, () =>
      h2get(session, '/echo'),
    );
    expect([body.status, body.body]).toEqual([200, 'replaced']);
    const truncated = await withToxic(
      { name: 't', type: 'http_body', attributes: { action: 'truncate', bytes: 2 } },
      () => h2get(session, '/echo'),
    );
    expect([truncated.status, truncated.body]).toEqual([200, 'GE']);
    expect((await h2get(session, '/echo')).status).toBe(200);
  });

  it('an http_status 503 on GET /api/* at toxicity 0.5 hits about half, other routes none; removal is live', async () => {
    await api.addToxic('h2', {
      name: 'half',
      type: 'http_status',
      toxicity: 0.5,
      attributes: { status: 503, method: 'GET', path: '/api/*' },
    });
    const api503 = await Promise.all(Array.from({ length: 400 }, (_, i) => h2get(session, `/api/${i}`)));
    const hit = api503.filter((s) => s.status === 503).length;
    expect(hit).toBeGreaterThan(150);
    expect(hit).toBeLessThan(250);
    expect(api503.every((s) => s.status === 503 || s.status === 200)).toBe(true);
    const other = await Promise.all(Array.from({ length: 50 }, () => h2get(session, '/other')));
    expect(other.every((s) => s.status === 200)).toBe(true);
    const info = (await api.connections('h2')) as unknown as {
      protocol: string;
      requests: { path: string; status: number; outcome: string; toxics: { matched: boolean; selected: boolean }[] }[];
    }[];
    const mine = info.find((c) => c.protocol === 'h2c');
    const last = mine?.requests.at(-1);
    expect(last).toMatchObject({ path: '/other', status: 200, outcome: 'forwarded' });
    expect(last?.toxics[0]).toMatchObject({ matched: false, selected: false });
    const metrics = await server.metrics.metrics();
    expect(metrics).toMatch(/turbulence_proxy_http_requests_total\{proxy="h2",outcome="answered"\} [1-9]/);
    expect(metrics).toMatch(/turbulence_proxy_http_toxic_applied_total\{proxy="h2",toxic="half",type="http_status"\}/);
    await api.removeToxic('h2', 'half');
    const after = await Promise.all(Array.from({ length: 100 }, (_, i) => h2get(session, `/api/${i}`)));
    expect(after.every((s) => s.status === 200)).toBe(true);
  });

  it('replays its per-request draws from the seed, whatever the transport', async () => {
    const draws = async (seed: number) => {
      const own = await proxyServer({ seed });
      const client = new ProxyClient(own.url);
      const p = await client.createProxy({ name: 'r', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
      await client.addToxic('r', { name: 'x', type: 'http_delay', toxicity: 0.5, attributes: { path: '/none' } });
      const s = open(`http://${p.listen}`);
      for (let i = 0; i < 6; i++) await h2get(s, `/x${i}`);
      const [conn] = (await client.connections('r')) as unknown as { requests: { toxics: { draw: number }[] }[] }[];
      s.destroy();
      return conn?.requests.map((r) => r.toxics[0]?.draw);
    };
    const first = await draws(3);
    expect(first).toHaveLength(6);
    expect(await draws(3)).toEqual(first);
    expect(await draws(4)).not.toEqual(first);
  });

  it('reaches an HTTP/1.1-only upstream over HTTP/1.1 for h2 clients', async () => {
    const h1 = createServer((req, res) => res.end(`h1 ${req.url} ${req.httpVersion}`));
    h1.listen(0, '127.0.0.1');
    await once(h1, 'listening');
    try {
      const p = await api.createProxy({
        name: 'old',
        upstream: `127.0.0.1:${(h1.address() as { port: number }).port}`,
        protocol: 'http',
      });
      const s = open(`http://${p.listen}`);
      expect((await h2get(s, '/a')).body).toBe('h1 /a 1.1');
      await api.addToxic('old', { name: 'h', type: 'http_header', attributes: { name: 'X-Via', value: 'h2' } });
      const seen = await h2get(s, '/b');
      expect([seen.body, seen.headers['x-via']]).toEqual(['h1 /b 1.1', 'h2']);
      await api.deleteProxy('old');
    } finally {
      h1.close();
    }
  });

  it('with TLS, negotiates h2 or http/1.1 per connection by ALPN, and the toxics apply to both', async () => {
    const ca = await testCa();
    const p = await api.createProxy({
      name: 'tls',
      upstream: `127.0.0.1:${upstream.port}`,
      protocol: 'http',
      tls: { terminate: true },
    });
    const port = Number(p.listen.slice(p.listen.lastIndexOf(':') + 1));
    const s = open(`https://localhost:${port}`, { ca: ca.cert });
    const h1get = (path: string) =>
      new Promise<{ status: number; body: string; alpn: string }>((resolve, reject) => {
        const req = httpsRequest(
          // ALPNProtocols is a tls.connect option the https agent passes on (missing from RequestOptions' type).
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port,
            path,
            ca: ca.cert,
            agent: false,
            ALPNProtocols: ['http/1.1'],
          } as RequestOptions,
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body,
                alpn: String((res.socket as { alpnProtocol?: string }).alpnProtocol),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect((await h2get(s, '/echo')).body).toBe('GET /echo 2.0 ');
    expect(await h1get('/echo')).toEqual({ status: 200, body: 'GET /echo 1.1 ', alpn: 'http/1.1' });
    await api.addToxic('tls', { name: 'no', type: 'http_status', attributes: { status: 503, path: '/api/*' } });
    expect((await h2get(s, '/api/1')).status).toBe(503);
    expect((await h1get('/api/1')).status).toBe(503);
    expect((await h2get(s, '/echo')).status).toBe(200);
    const protocols = (await api.connections('tls')).map((c) => (c as unknown as { protocol: string }).protocol);
    expect(protocols).toContain('h2');
    await api.deleteProxy('tls');
  });

  it('closes a connection that sends garbage after the HTTP/2 preface, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const port = Number(base.slice(base.lastIndexOf(':') + 1));
    const raw = connect({ host: '127.0.0.1', port });
    raw.on('error', () => {});
    raw.resume();
    raw.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)]));
    await once(raw, 'close');
    expect((await h2get(session, '/echo')).status).toBe(200);
  });
});
