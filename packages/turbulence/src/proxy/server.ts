/**
 * `createProxyServer(...)`: a Toxiproxy-compatible proxy server in-process. Start it from a test suite, create
 * proxies and toxics through its methods or over HTTP with any Toxiproxy client, and close it when done.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type * as ControlModule from '../control/server.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type * as ApiModule from './api.js';
import { newSeed } from '../core/rng.js';
import { ProxyCollection } from './collection.js';
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
  /** A pino logger for the API's requests and errors; default none. */
  logger?: FastifyBaseLogger;
}

/** A running proxy server. */
export interface ProxyServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474` (empty when `api: false`). */
  readonly url: string;
  readonly port: number;
  readonly seed: number;
  readonly proxies: ProxyCollection;
  /** The Prometheus registry (built on first use: prom-client is not loaded until then). */
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

/** Largest API request body (a populate of the most proxies it may hold fits easily). */
const MAX_BODY = 4 * 1024 * 1024;

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
  // What only some servers use (the API's fastify, YAML, prom-client) loads when used: a smaller heap is a
  // smaller footprint and cheaper garbage collection on the byte path (bench/RESULTS.md, issue 24).
  const [control, api] =
    options.api === false ? [] : await Promise.all([import('../control/server.js'), import('./api.js')]);
  const app = control && api ? apiServer(control.createControlServer, api.notFoundText, host, options) : undefined;
  const seed = options.seed ?? newSeed();
  const proxies = new ProxyCollection(toxicRegistry(options.toxics), seed);
  let registry: Registry | undefined;
  const metrics = (): Registry => (registry ??= proxyMetrics(proxies));
  if (options.config !== undefined) {
    const entries =
      typeof options.config === 'string'
        ? await (await import('./config.js')).loadProxyConfig(options.config)
        : options.config;
    await proxies.populate(populateInput(entries));
  }
  let url = '';
  let port = 0;
  if (app && control && api) {
    api.registerProxyApi(app, {
      proxies,
      get metrics() {
        return metrics();
      },
    });
    try {
      ({ url, port } = await control.listenControl(app, host, options.port ?? 0, 'proxy API'));
    } catch (err) {
      proxies.stopAll();
      throw err;
    }
  }
  return {
    url,
    port,
    seed,
    proxies,
    get metrics() {
      return metrics();
    },
    createProxy: (input) => proxies.create(input),
    addToxic: (proxy, toxic) => proxies.addToxic(proxy, toxic),
    removeToxic: (proxy, toxic) => proxies.removeToxic(proxy, toxic),
    onChange(listener) {
      proxies.on(CHANGE, listener);
      return () => proxies.off(CHANGE, listener);
    },
    async close() {
      proxies.stopAll();
      await app?.close();
    },
  };
}

function apiServer(
  createControlServer: typeof ControlModule.createControlServer,
  notFoundText: typeof ApiModule.notFoundText,
  host: string,
  options: ProxyServerOptions,
): FastifyInstance {
  return createControlServer({
    host,
    token: options.token,
    body: 'text',
    bodyLimit: MAX_BODY,
    notFound: notFoundText,
    ...(options.logger ? { logger: options.logger } : {}),
    refuseOpenBind: (h) =>
      new TurbulenceError(ErrorCodes.USAGE, `refusing to serve the proxy API on ${h} without a token`, {
        hint: 'bind 127.0.0.1, or pass a token (--token or TURBULENCE_PROXY_TOKEN) that clients send as a bearer',
      }),
  });
}
