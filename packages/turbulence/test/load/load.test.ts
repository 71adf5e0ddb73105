/**
 * `load.*` against real servers on loopback (small sizes: the bench does the big ones): what each kind measures,
 * its limits, and that stopping it stops in-flight work.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import { Rng } from '../../src/core/rng.js';
import { getDriver, parseParams } from '../../src/faults/registry.js';
import { createProxyServer, type ProxyServer } from '../../src/proxy/index.js';

let http: Server;
let tcp: TcpServer;
let proxy: ProxyServer;
let base = '';
let proxied = '';
let failNext = 0;

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    if (req.url?.startsWith('/fail') || failNext > 0) {
      failNext = Math.max(0, failNext - 1);
      res.statusCode = 503;
    }
    res.end('ok');
  });
  http.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  tcp = createTcpServer((s) => s.on('data', () => s.end('pong')).on('error', () => undefined));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  proxy = await createProxyServer({ port: 0, seed: 1 });
  const p = await proxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream: base.slice('http://'.length) });
  proxied = `http://${p.toJSON().listen}`;
});
afterAll(async () => {
  await proxy.close();
  http.closeAllConnections();
  http.close();
  tcp.close();
});

async function load(kind: string, target: JsonObject, params: JsonObject, signal = new AbortController().signal) {
  const driver = await getDriver(kind);
  const [t] = await driver.resolveTargets(target, { rng: new Rng(1), signal });
  const state = (await driver.inject(t!, parseParams(driver, params), { rng: new Rng(1), signal })) as JsonObject;
  return state.output as JsonObject & { latencyMs: Record<string, number>; errors: Record<string, number> };
}

describe('load.burst', () => {
  it('measures latency percentiles, requests/s and connections opened (keep-alive and not)', async () => {
    const kept = await load('load.burst', { url: `${base}/` }, { clients: 10, requests: 200, jitter: '50ms' });
    expect(kept).toMatchObject({ requests: 200, ok: 200, errorCount: 0, clients: 10 });
    expect(kept.connectionsOpened as number).toBeLessThanOrEqual(10);
    expect(kept.latencyMs.p99).toBeGreaterThan(0);
    expect(kept.latencyMs.p50).toBeLessThanOrEqual(kept.latencyMs.p99 ?? 0);
    expect(kept.requestsPerSecond as number).toBeGreaterThan(0);
    const fresh = await load(
      'load.burst',
      { url: `${base}/` },
      { clients: 5, requests: 50, keepAlive: false, threads: 2 },
    );
    expect(fresh).toMatchObject({ ok: 50, connectionsOpened: 50 });
  });

  it('counts errors by kind, and works on raw TCP', async () => {
    const failing = await load('load.burst', { url: `${base}/fail` }, { clients: 4, requests: 20 });
    expect(failing.errors).toEqual({ http_5xx: 20 });
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const refused = await load('load.burst', { tcp: `127.0.0.1:${port}` }, { clients: 3, requests: 6 });
    expect(refused.errors).toEqual({ refused: 6 });
    const tcpPort = (tcp.address() as AddressInfo).port;
    const ok = await load('load.burst', { tcp: `127.0.0.1:${tcpPort}` }, { clients: 5, requests: 25, payload: 'ping' });
    expect(ok).toMatchObject({ ok: 25, connectionsOpened: 25, errorCount: 0 });
  });

  it('refuses sizes above the documented limit unless forced', async () => {
    const driver = await getDriver('load.burst');
    expect(() => parseParams(driver, { clients: 20_000 })).toThrow(
      /clients 20000 is over the documented limit 10000; pass force: true/,
    );
    expect(() => parseParams(driver, { clients: 200_000, force: true })).toThrow(/100000/);
    expect(parseParams(driver, { clients: 20_000, force: true })).toMatchObject({ clients: 20_000 });
  });

  it('stops in-flight work when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const slow = load(
      'load.reconnect-storm',
      { url: `${base}/` },
      { clients: 2, duration: '60s', drop: { proxy: 'none-such', api: proxy.url } },
      controller.signal,
    );
    await expect(slow).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('load.retry-storm', () => {
  it('amplifies failures with immediate retries, and a budget caps them', async () => {
    const naive = await load('load.retry-storm', { url: `${base}/fail` }, { clients: 5, requests: 20, retries: 3 });
    expect(naive).toMatchObject({ requests: 20, attempts: 80, retries: 60, amplification: 4 });
    const budgeted = await load(
      'load.retry-storm',
      { url: `${base}/fail` },
      { clients: 5, requests: 20, retries: 3, budget: 0.1 },
    );
    expect(budgeted.retries).toBe(2);
    expect(budgeted.budgetDenied).toBeGreaterThan(0);
    failNext = 5;
    const recovers = await load(
      'load.retry-storm',
      { url: `${base}/` },
      {
        clients: 5,
        requests: 20,
        retries: 5,
        backoff: { policy: 'exponential', base: '5ms', jitter: true },
      },
    );
    expect(recovers).toMatchObject({ ok: 20, retries: 5 });
  });
});

describe('load.reconnect-storm', () => {
  it('drops every connection through the proxy once all clients are connected; clients reconnect', async () => {
    const out = await load(
      'load.reconnect-storm',
      { url: `${proxied}/` },
      {
        clients: 8,
        duration: '2500ms',
        interval: '50ms',
        drop: { proxy: 'api', api: proxy.url, blip: '300ms' },
        backoff: { policy: 'exponential', base: '20ms', max: '200ms', jitter: true },
      },
    );
    expect(out.dropped).toBe(8);
    expect(out.allRecovered).toBe(true);
    expect(out.connectionsOpened).toBeGreaterThanOrEqual(16);
    expect((out.recoveryMs as unknown as Record<string, number>).max).toBeGreaterThanOrEqual(250);
    expect(proxy.proxies.get('api')?.toJSON().enabled).toBe(true);
  });
});
