/**
 * `createProxyServer(...)`: a Toxiproxy-compatible proxy server in-process. Start it from a test suite, create
 * proxies and toxics through its methods or over HTTP with any Toxiproxy client, and close it when done.
 */
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { Registry } from 'prom-client';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { newSeed } from '../core/rng.js';
import { apiHandler } from './api.js';
import { ProxyCollection } from './collection.js';
import { loadProxyConfig } from './config.js';
import { CHANGE, type ProxyEvent } from './events.js';
import { proxyMetrics } from './metrics.js';
import type { Proxy } from './proxy.js';
import type { ProxyInput } from './proxy-spec.js';
import { populateInput } from './proxy-spec.js';
import type { AnyToxicType } from './toxic.js';
import { toxicRegistry } from './toxics/index.js';
import type { ToxicJson } from './toxic-record.js';
import type { ToxicInput } from './toxic-spec.js';

/** Options of {@link createProxyServer}. */
export interface ProxyServerOptions {
  /** API interface; default `127.0.0.1`. Anything but loopback needs `token`. */
  host?: string;
  /** API port; default 0 (any free port; the CLI defaults to 8474). */
  port?: number;
  /** Seed of every random decision (toxicity, jitter, loss); default a fresh one (see `server.seed`). */
  seed?: number;
  /** Proxies (with toxics) to create before the API answers: a populate array, or a JSON/YAML file path. */
  config?: string | readonly ProxyInput[];
  /** Extra toxic types, next to the built-in ones. */
  toxics?: readonly AnyToxicType[];
  /** Bearer token the API requires (needed to bind a non-loopback host). */
  token?: string;
  /** Serve the HTTP API; default true. `false` gives a library-only server (methods below still work). */
  api?: boolean;
}

/** A running proxy server. */
export interface ProxyServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474` (empty when `api: false`). */
  readonly url: string;
  readonly port: number;
  readonly seed: number;
  readonly proxies: ProxyCollection;
  readonly metrics: Registry;
  /** Creates a proxy (with optional toxics, attached before it accepts). */
  createProxy(input: ProxyInput): Promise<Proxy>;
  /** Adds a toxic to a proxy; it applies to live connections at once. */
  addToxic(proxy: string, toxic: ToxicInput): ToxicJson;
  /** Removes a toxic. */
  removeToxic(proxy: string, toxic: string): void;
  /** Subscribes to state changes. */
  onChange(listener: (event: ProxyEvent) => void): () => void;
  /** Stops every proxy and the API. */
  close(): Promise<void>;
}

/**
 * Starts a proxy server.
 *
 * @example
 * const server = await createProxyServer({ seed: 42 });
 * const redis = await server.createProxy({ name: 'redis', listen: '127.0.0.1:0', upstream: '127.0.0.1:6379' });
 * server.addToxic('redis', { type: 'latency', attributes: { latency: 100 } });
 * // connect to redis.listen ... then:
 * await server.close();
 */
export async function createProxyServer(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) {
    throw new TurbulenceError(ErrorCodes.USAGE, `refusing to serve the proxy API on ${host} without a token`, {
      hint: 'bind 127.0.0.1, or pass a token (--token or TURBULENCE_PROXY_TOKEN) that clients send as a bearer',
    });
  }
  const seed = options.seed ?? newSeed();
  const proxies = new ProxyCollection(toxicRegistry(options.toxics), seed);
  const metrics = proxyMetrics(proxies);
  if (options.config !== undefined) {
    const entries = typeof options.config === 'string' ? await loadProxyConfig(options.config) : options.config;
    await proxies.populate(populateInput(entries));
  }
  let http: Server | undefined;
  let port = 0;
  if (options.api !== false) {
    const apiOptions = { proxies, metrics, ...(options.token ? { token: options.token } : {}) };
    http = createServer({ keepAliveTimeout: 60_000 }, apiHandler(apiOptions));
    port = await listen(http, host, options.port ?? 0);
  }
  return {
    url: http ? `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}` : '',
    port,
    seed,
    proxies,
    metrics,
    createProxy: (input) => proxies.create(input),
    addToxic: (proxy, toxic) => proxies.addToxic(proxy, toxic),
    removeToxic: (proxy, toxic) => proxies.removeToxic(proxy, toxic),
    onChange(listener) {
      proxies.on(CHANGE, listener);
      return () => proxies.off(CHANGE, listener);
    },
    async close() {
      proxies.stopAll();
      if (!http) return;
      const server = http;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TurbulenceError(ErrorCodes.UNAVAILABLE, `cannot serve the proxy API on ${host}:${port}: ${err.message}`, {
          hint: err.code === 'EADDRINUSE' ? 'another server uses this port: pick another with --port' : undefined,
          cause: err,
        }),
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : port);
    });
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
