/**
 * The service of the thundering-herd example, behind a turbulence proxy:
 *
 *   clients ──▶ proxy "herd" (turbulence, Toxiproxy API) ──▶ service (this file)
 *
 * Each new connection costs the service `setupMs` of CPU (think TLS handshake and session load, against an auth
 * backend that rate-limits them), and it can set up at most `burstLimit` connections in any `windowMs` (default
 * 12 in 300 ms). A herd of clients reconnecting at the same instant goes over that: the service falls over
 * (`GET /stats` → `fellOver: true`, sticky until `POST /reset`). The same clients reconnecting with jittered
 * backoff spread their handshakes out and stay under it.
 *
 *   npx tsx examples/thundering-herd/service.ts     # service + proxy on loopback, printed URLs
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer, type ProxyServer } from '../../packages/turbulence/src/proxy/index.js';

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** CPU cost of one new connection, ms (default 2). */
  setupMs?: number;
  /** Connections accepted at once (default 40). */
  maxConnections?: number;
  /** Most connection setups the service survives within `windowMs` (default 12). */
  burstLimit?: number;
  /** The window of `burstLimit`, ms (default 300). */
  windowMs?: number;
}

/** Starts the service on 127.0.0.1:0. */
export async function startService(options: ServiceOptions = {}) {
  const setupMs = options.setupMs ?? 2;
  const burstLimit = options.burstLimit ?? 12;
  const windowMs = options.windowMs ?? 300;
  const setups: number[] = [];
  let maxBurst = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/reset' && req.method === 'POST') {
      maxBurst = 0;
      res.writeHead(204).end();
      return;
    }
    const stats = { fellOver: maxBurst > burstLimit, maxBurst, burstLimit, windowMs };
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(req.url === '/stats' ? stats : { ok: true }));
  });
  server.maxConnections = options.maxConnections ?? 40;
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => {
    const now = Date.now();
    while (Date.now() - now < setupMs); // the handshake: CPU the event loop cannot spend on anything else
    setups.push(now);
    while (setups.length > 0 && setups[0]! <= now - windowMs) setups.shift();
    maxBurst = Math.max(maxBurst, setups.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { url, stop };
}

/** The service behind a turbulence proxy named `herd`; the proxy API on a free port. */
export async function startHerdSystem(options: ServiceOptions = {}) {
  const service = await startService(options);
  const proxy: ProxyServer = await createProxyServer({ port: 0, seed: 1 });
  const p = await proxy.createProxy({ name: 'herd', listen: '127.0.0.1:0', upstream: service.url.slice(7) });
  return {
    serviceUrl: service.url,
    proxiedUrl: `http://${p.toJSON().listen}`,
    proxyApi: proxy.url,
    stop: async () => {
      await proxy.close();
      await service.stop();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startHerdSystem();
  process.stdout.write(
    `SERVICE_URL=${s.serviceUrl} PROXIED_URL=${s.proxiedUrl} PROXY_API=${s.proxyApi}\n(Ctrl-C stops)\n`,
  );
}
