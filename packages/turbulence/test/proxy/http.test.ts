/**
 * `protocol: http` proxies with real clients (undici 7, raw sockets, undici's WebSocket) against a real
 * `node:http` upstream: the done-when figure of issue 21 (http_status 503 on GET /api/* at toxicity 0.5 over
 * 2,000 requests, removed live on a kept-alive connection), HTTP/1.1 framing passed through (pipelining, chunked
 * bodies with trailers, Expect: 100-continue, WebSocket upgrade), malformed HTTP from either side, and bad input.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Client, WebSocket, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient, type ProxyServer } from '../../src/proxy/index.js';
import { eventually } from '../support/eventually.js';
import { cleanup, http, proxyServer, tcpServer } from './helpers.js';
import { exchange, upstreamHttp } from './http-support.js';

let server: ProxyServer;
let api: ProxyClient;
let upstream: Awaited<ReturnType<typeof upstreamHttp>>;
let base: string;

beforeAll(async () => {
  upstream = await upstreamHttp();
  server = await proxyServer({ seed: 2112 });
  api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'web', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
  base = `http://${proxy.listen}`;
});
afterEach(async () => {
  for (const t of await api.toxics('web')) await api.removeToxic('web', t.name);
});
afterAll(async () => {
  await cleanup();
  await upstream.close();
});

const portOfBase = (): number => Number(base.slice(base.lastIndexOf(':') + 1));

async function statuses(client: Client, path: string, n: number, method = 'GET'): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await client.request({ path, method });
      await res.body.text();
      counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
    }),
  );
  return counts;
}

describe('http proxy', () => {
  it('http_status 503 on GET /api/* at toxicity 0.5: 50 % ± 5 % of 2,000 requests; removal restores 200s live', async () => {
    const client = new Client(base, { pipelining: 16 });
    try {
      expect(await statuses(client, '/api/warm', 1)).toEqual({ 200: 1 });
      await api.addToxic('web', {
        name: 'api503',
        type: 'http_status',
        toxicity: 0.5,
        attributes: { status: 503, method: 'GET', path: '/api/*', body: 'down' },
      });
      const api503 = await statuses(client, '/api/users/1?x=1', 2000);
      expect((api503[200] ?? 0) + (api503[503] ?? 0)).toBe(2000);
      expect(api503[503]).toBeGreaterThanOrEqual(900);
      expect(api503[503]).toBeLessThanOrEqual(1100);
      expect(await statuses(client, '/other', 200)).toEqual({ 200: 200 });
      expect(await statuses(client, '/api/users/1', 100, 'POST')).toEqual({ 200: 100 });
      const [before] = await api.connections('web');
      await api.removeToxic('web', 'api503');
      expect(await statuses(client, '/api/users/1', 500)).toEqual({ 200: 500 });
      const after = await api.connections('web');
      expect(after.map((c) => c.id)).toEqual([before?.id]); // the same kept-alive connection throughout
      const text = await server.metrics.metrics();
      expect(text).toMatch(/turbulence_proxy_http_requests_total\{proxy="web",outcome="answered"\} (9\d\d|1[01]\d\d)/);
      expect(text).toMatch(
        /turbulence_proxy_http_toxic_applied_total\{proxy="web",toxic="api503",type="http_status"\}/,
      );
    } finally {
      await client.close();
    }
  });

  it('shows per-request decisions in /proxies/{name}/connections', async () => {
    await api.addToxic('web', { name: 'slow', type: 'http_delay', attributes: { delay: 1, path: '/api/*' } });
    const socket = connect({ host: '127.0.0.1', port: portOfBase() });
    await once(socket, 'connect');
    const two = 'GET /api/a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n';
    await exchange(socket, two, (got) => got.split('HTTP/1.1 200').length === 3);
    interface Listed {
      client: string;
      requests: { path: string; toxics: { matched: boolean; selected: boolean }[] }[];
    }
    const listed = (await http(server.url, 'GET', '/proxies/web/connections')).json as Listed[];
    const mine = listed.find((c) => c.client.endsWith(`:${socket.localPort}`));
    socket.destroy();
    expect(mine?.requests.map((r) => [r.path, r.toxics[0]?.matched, r.toxics[0]?.selected])).toEqual([
      ['/api/a', true, true],
      ['/b', false, false],
    ]);
  });

  it('keeps pipelined requests in order, with chunked bodies and trailers both ways', async () => {
    const socket = connect({ host: '127.0.0.1', port: portOfBase() });
    await once(socket, 'connect');
    const chunkedPost =
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    const pipeline = `GET /first HTTP/1.1\r\nHost: x\r\n\r\n${chunkedPost}GET /chunked HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\nGET /last HTTP/1.1\r\nHost: x\r\n\r\n`;
    const { got } = await exchange(socket, pipeline, (g) => g.includes('ok /last'));
    socket.destroy();
    const order = ['ok /first', 'POST /echo abcde', 'one,', 'x-sum: 42', 'ok /last'].map((s) => got.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(got).toMatch(/transfer-encoding: chunked/i);
  });

  it('passes Expect: 100-continue through: the body is sent after the upstream says 100', async () => {
    const socket = connect({ host: '127.0.0.1', port: portOfBase() });
    await once(socket, 'connect');
    const head = 'PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n';
    const first = await exchange(socket, head, (g) => g.includes('\r\n\r\n'));
    expect(first.got).toMatch(/^HTTP\/1\.1 100 Continue/);
    const second = await exchange(socket, 'hello', (g) => g.includes('PUT /echo hello'));
    socket.destroy();
    expect(second.got).toMatch(/^HTTP\/1\.1 200/);
  });

  it('passes a WebSocket upgrade through untouched (undici WebSocket), whatever the toxics', async () => {
    await api.addToxic('web', { name: 'all', type: 'http_status', attributes: { status: 500 } });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await once(ws as unknown as NodeJS.EventEmitter, 'open').catch(() => undefined);
    const reply = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(String(e.data))));
    ws.send('hi');
    expect(await reply).toBe('echo:hi');
    ws.close();
  });

  it('closes a connection that sends malformed HTTP and counts it; the proxy keeps serving', async () => {
    const before = server.proxies.get('web').http.errors.client;
    const socket = connect({ host: '127.0.0.1', port: portOfBase() });
    await once(socket, 'connect');
    const { got, closed } = await exchange(socket, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', () => false);
    expect(closed).toBe(true);
    expect(got).toMatch(/^HTTP\/1\.1 400/);
    expect(server.proxies.get('web').http.errors.client).toBe(before + 1);
    expect((await request(`${base}/still`)).statusCode).toBe(200);
  });

  it('answers 502 with Connection: close to a malformed upstream response and counts it', async () => {
    const bad = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 2OO Nope\r\n\r\n')));
    const proxy = await api.createProxy({ name: 'badup', upstream: `127.0.0.1:${bad.port}`, protocol: 'http' });
    const res = await request(`http://${proxy.listen}/x`);
    expect(res.statusCode).toBe(502);
    expect(await res.body.text()).toMatch(/upstream error: HPE_/);
    expect(server.proxies.get('badup').http.errors.upstream).toBe(1);
    await api.deleteProxy('badup');
  });

  it('refuses bad input with 400, the field and the fix, and applies nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'http_status', attributes: { path: '/(/' } }, /path: \/\(\/ is not a valid RE2 regular expression.*fix/],
      [{ type: 'http_status', attributes: { status: 700 } }, /status must be an integer from 100 to 599/],
      [{ type: 'http_header', attributes: { name: 'Transfer-Encoding' } }, /framing header/],
      [{ type: 'http_status', attributes: { header: 'bad name: x' } }, /header: "bad name" is not a header name/],
      [{ type: 'latency', attributes: { latency: 1 } }, /needs a proxy with protocol tcp.*use http_\* toxics/],
    ];
    for (const [body, message] of cases) {
      const res = await http(server.url, 'POST', '/proxies/web/toxics', body);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(message);
    }
    const tcp = await api.createProxy({ name: 'plain', upstream: `127.0.0.1:${upstream.port}` });
    const onTcp = await http(server.url, 'POST', '/proxies/plain/toxics', { type: 'http_status' });
    expect(onTcp.status).toBe(400);
    expect(onTcp.json.error).toMatch(/needs a proxy with protocol http.*"protocol": "http"/);
    const proto = await http(server.url, 'POST', '/proxies', { name: 'p2', upstream: 'x:1', protocol: 'ftp' });
    expect([proto.status, proto.json.error]).toEqual([400, expect.stringMatching(/protocol must be one of tcp, http/)]);
    const half = await http(server.url, 'POST', '/proxies', {
      name: 'half',
      upstream: `127.0.0.1:${upstream.port}`,
      protocol: 'http',
      toxics: [{ type: 'http_status' }, { type: 'http_status', name: 'x', attributes: { status: 99 } }],
    });
    expect(half.status).toBe(400);
    expect((await api.toxics('web')).length).toBe(0);
    expect(Object.keys(await api.list()).sort()).toEqual(['plain', 'web']);
    expect((await api.get('plain')).toxics).toEqual([]);
    await api.deleteProxy(tcp.name);
  });

  it('keeps Toxiproxy clients working: toxiproxy-node-client lists both kinds, a tcp proxy has no new field', async () => {
    const toxiproxy = new Toxiproxy(server.url);
    const created = await toxiproxy.createProxy({
      name: 'legacy',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${upstream.port}`,
    });
    const all = await toxiproxy.getAll();
    expect(Object.keys(all).sort()).toEqual(['legacy', 'web']);
    const raw = await http(server.url, 'GET', '/proxies/legacy');
    expect(Object.keys(raw.json).sort()).toEqual(['enabled', 'listen', 'name', 'toxics', 'upstream']);
    expect((await http(server.url, 'GET', '/proxies/web')).json.protocol).toBe('http');
    await created.remove();
    expect(await eventually(async () => !(await api.list()).legacy, 2000)).toBe(true);
  });
});
