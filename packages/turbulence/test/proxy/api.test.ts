import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, echoServer, http, proxyServer, dial, portOf, readBytes, closed } from './helpers.js';

afterEach(cleanup);

async function setup() {
  const echo = await echoServer();
  const server = await proxyServer();
  return { echo, server, base: server.url, upstream: `127.0.0.1:${echo.port}` };
}

describe('proxy HTTP API (raw HTTP, Toxiproxy shapes)', () => {
  it('creates a proxy with 201 and rewrites listen to the bound address', async () => {
    const { base, upstream } = await setup();
    const res = await http(base, 'POST', '/proxies', { name: 'redis', listen: 'localhost:0', upstream });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'redis', upstream, enabled: true, toxics: [] });
    expect(res.json.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(res.json.listen)).toBeGreaterThan(0);
    const list = await http(base, 'GET', '/proxies');
    expect(Object.keys(list.json)).toEqual(['redis']);
  });

  it('answers errors with the {error, status} envelope and Toxiproxy messages', async () => {
    const { base, upstream } = await setup();
    expect((await http(base, 'POST', '/proxies', { upstream })).json).toEqual({
      error: 'missing required field: name',
      status: 400,
    });
    expect((await http(base, 'POST', '/proxies', { name: 'a' })).json.error).toBe('missing required field: upstream');
    expect((await http(base, 'POST', '/proxies', '')).json).toEqual({ error: 'bad request body: EOF', status: 400 });
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    const dup = await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    expect([dup.status, dup.json.error]).toEqual([409, 'proxy already exists']);
    const missing = await http(base, 'GET', '/proxies/nope');
    expect([missing.status, missing.json.error]).toEqual([404, 'proxy not found']);
  });

  it('returns 500 with the bind error when the listen port is taken', async () => {
    const { base, upstream, echo } = await setup();
    const res = await http(base, 'POST', '/proxies', { name: 'a', listen: `127.0.0.1:${echo.port}`, upstream });
    expect(res.status).toBe(500);
    expect(res.json.error).toBe(`listen tcp 127.0.0.1:${echo.port}: bind: address already in use`);
    expect((await http(base, 'GET', '/proxies')).json).toEqual({});
  });

  it('follows Toxiproxy routing: 404 text, 405, 403 for browsers, request id header', async () => {
    const { base } = await setup();
    const unknown = await http(base, 'GET', '/nothing');
    expect([unknown.status, unknown.text]).toEqual([404, '404 page not found\n']);
    expect((await http(base, 'DELETE', '/version')).status).toBe(405);
    const browser = await http(base, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0' });
    expect([browser.status, browser.text]).toEqual([403, 'User agent not allowed\n']);
    const version = await http(base, 'GET', '/version');
    expect(version.json.version).toBe('2.12.0');
    expect(version.headers.get('x-toxiproxy-request-id')).toMatch(/^[0-9a-z]{20}$/);
  });

  it('creates toxics with 200, default name <type>_<stream> and downstream by default', async () => {
    const { base, upstream } = await setup();
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    const res = await http(base, 'POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 10 } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      attributes: { latency: 10, jitter: 0 },
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
    });
    const up = await http(base, 'POST', '/proxies/a/toxics', { type: 'bandwidth', stream: 'UPSTREAM' });
    expect(up.json).toMatchObject({ name: 'bandwidth_UPSTREAM', stream: 'UPSTREAM', attributes: { rate: 0 } });
    const toxics = (await http(base, 'GET', '/proxies/a')).json.toxics as { name: string }[];
    const names = toxics.map((t) => t.name);
    expect(names).toEqual(['bandwidth_UPSTREAM', 'latency_downstream']);
  });

  it('rejects bad toxics with clear 400s (and 409 for a name used in either direction)', async () => {
    const { base, upstream } = await setup();
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    const post = (body: unknown) => http(base, 'POST', '/proxies/a/toxics', body);
    expect((await post({ type: 'down' })).json).toEqual({ error: 'invalid toxic type', status: 400 });
    expect((await post({ type: 'latency', stream: '' })).json.error).toBe(
      'stream was invalid, can be either upstream or downstream',
    );
    expect((await post({ type: 'bandwidth', attributes: { rate: -1 } })).json.error).toBe(
      'invalid attributes for bandwidth toxic: rate must be >= 0',
    );
    expect((await post({ type: 'slicer', attributes: { size_variation: 0 } })).json.error).toMatch(
      /average_size must be >= 1/,
    );
    expect((await post({ type: 'slicer', attributes: { average_size: 10, size_variation: 11 } })).status).toBe(400);
    expect((await post({ type: 'latency', attributes: { latency: 1.5 } })).status).toBe(400);
    expect((await post({ type: 'latency', toxicity: 1.5 })).status).toBe(400);
    await post({ name: 'x', type: 'latency', stream: 'upstream' });
    const dup = await post({ name: 'x', type: 'latency', stream: 'downstream' });
    expect([dup.status, dup.json.error]).toEqual([409, 'toxic already exists']);
  });

  it('updates toxics partially: omitted attributes and toxicity keep their values', async () => {
    const { base, upstream } = await setup();
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    await http(base, 'POST', '/proxies/a/toxics', {
      name: 'l',
      type: 'latency',
      toxicity: 0.5,
      attributes: { latency: 100, jitter: 5 },
    });
    const res = await http(base, 'PATCH', '/proxies/a/toxics/l', { attributes: { latency: 20 } });
    expect(res.json).toMatchObject({ attributes: { latency: 20, jitter: 5 }, toxicity: 0.5 });
    const missing = await http(base, 'POST', '/proxies/a/toxics/zzz', 'not json');
    expect([missing.status, missing.json.error]).toEqual([404, 'toxic not found']);
    expect((await http(base, 'DELETE', '/proxies/a/toxics/l')).status).toBe(204);
    expect((await http(base, 'GET', '/proxies/a/toxics')).json).toEqual([]);
  });

  it('disables a proxy: live connections close and new ones are refused, the port is kept', async () => {
    const { base, upstream } = await setup();
    const created = (await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream })).json;
    const socket = await dial(portOf(created.listen));
    const gone = closed(socket);
    const res = await http(base, 'PATCH', '/proxies/a', { enabled: false });
    expect(res.json.enabled).toBe(false);
    await gone;
    await expect(dial(portOf(created.listen))).rejects.toThrow(/ECONNREFUSED/);
    const again = await http(base, 'POST', '/proxies/a', { enabled: true });
    expect(again.json.listen).toBe(created.listen);
    const s2 = await dial(portOf(created.listen));
    s2.write('ok');
    expect((await readBytes(s2, 2)).data.toString()).toBe('ok');
  });

  it('populates proxies with toxics attached before they accept, keeps unchanged ones, returns [] for none', async () => {
    const { base, upstream } = await setup();
    const body = [
      { name: 'p1', listen: '127.0.0.1:0', upstream, toxics: [{ type: 'latency', attributes: { latency: 50 } }] },
      { name: 'p2', listen: '127.0.0.1:0', upstream, enabled: false },
    ];
    const res = await http(base, 'POST', '/populate', body);
    expect(res.status).toBe(201);
    expect((res.json.proxies as { name: string }[]).map((p) => p.name)).toEqual(['p1', 'p2']);
    expect(res.json.proxies[0].toxics[0].name).toBe('latency_downstream');
    const s = await dial(portOf(res.json.proxies[0].listen));
    s.write('x');
    const { ms } = await readBytes(s, 1);
    expect(ms).toBeGreaterThanOrEqual(45);
    const again = await http(base, 'POST', '/populate', [{ name: 'p1', listen: res.json.proxies[0].listen, upstream }]);
    expect(again.json.proxies[0].toxics).toHaveLength(1);
    expect((await http(base, 'POST', '/populate', [])).json).toEqual({ proxies: [] });
    const bad = await http(base, 'POST', '/populate', [{ name: 'ok', upstream }, { name: 'x' }]);
    expect([bad.status, bad.json.error]).toEqual([400, 'missing required field: upstream at proxy 2']);
    expect((await http(base, 'GET', '/proxies/ok')).status).toBe(404);
  });

  it('resets: every proxy enabled, every toxic removed, nothing deleted', async () => {
    const { base, upstream } = await setup();
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream, enabled: false });
    await http(base, 'POST', '/proxies/a/toxics', { type: 'latency' });
    expect((await http(base, 'POST', '/reset')).status).toBe(204);
    const a = (await http(base, 'GET', '/proxies/a')).json;
    expect([a.enabled, a.toxics]).toEqual([true, []]);
  });

  it('lists live connections with their toxic decisions', async () => {
    const { base, upstream } = await setup();
    const created = (await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream })).json;
    await http(base, 'POST', '/proxies/a/toxics', { name: 'half', type: 'noop', toxicity: 0.5 });
    const sockets = await Promise.all([1, 2, 3, 4, 5, 6].map(() => dial(portOf(created.listen))));
    for (const s of sockets) s.write('hi');
    await Promise.all(sockets.map((s) => readBytes(s, 2)));
    const list = (await http(base, 'GET', '/proxies/a/connections')).json;
    expect(list).toHaveLength(6);
    for (const c of list) {
      expect(c.bytes.upstream.sent).toBe(2);
      const decision = c.toxics[0];
      expect(decision.selected).toBe(decision.draw < 0.5);
    }
  });

  it('streams changes as server-sent events', async () => {
    const { base, upstream } = await setup();
    const controller = new AbortController();
    const res = await fetch(`${base}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    await http(base, 'POST', '/proxies/a/toxics', { type: 'latency' });
    let text = '';
    while (!text.includes('toxic.added')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: proxy.created');
    expect(text).toContain('"toxic":{"attributes":{"latency":0,"jitter":0}');
  });

  it('exposes live byte counters before the connection closes', async () => {
    const { base, upstream } = await setup();
    const created = (await http(base, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream })).json;
    const s = await dial(portOf(created.listen));
    s.write(Buffer.alloc(1000, 1));
    await readBytes(s, 1000);
    const metrics = (await http(base, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/toxiproxy_proxy_sent_bytes_total\{direction="downstream",proxy="a",[^}]*\} 1000/);
    expect(metrics).toMatch(/turbulence_proxy_active_connections\{proxy="a"\} 1/);
  });
});
