/**
 * Prometheus metrics of a proxy server (prom-client, one registry per server). Values are read from the proxies'
 * running counters at scrape time, so they are live: a long transfer shows up while it flows, not when its
 * connection closes (Toxiproxy's counters only move at connection end). Toxiproxy's names and labels are kept.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { ProxyCollection } from './collection.js';
import type { Proxy } from './proxy.js';
import type { Direction } from './toxic.js';

const LINK_LABELS = ['direction', 'proxy', 'listener', 'upstream'] as const;
type LinkLabels = Record<(typeof LINK_LABELS)[number], string>;

/** Builds the registry for `proxies`. */
export function proxyMetrics(proxies: ProxyCollection): PromClient.Registry {
  // prom-client (CommonJS) loads here, on the first scrape or `server.metrics` read, not at server start.
  const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  const { Counter, Gauge, Registry } = prom;
  const registry = new Registry();
  const registers = [registry];
  const eachDirection = (fn: (labels: LinkLabels, direction: Direction, proxy: Proxy) => void): void => {
    for (const proxy of proxies.proxies.values()) {
      for (const direction of ['upstream', 'downstream'] as const) {
        fn({ direction, proxy: proxy.name, listener: proxy.listen, upstream: proxy.upstream }, direction, proxy);
      }
    }
  };
  new Counter({
    name: 'toxiproxy_proxy_received_bytes_total',
    help: 'Bytes read from the source side of a proxy, per direction (live).',
    labelNames: LINK_LABELS,
    registers,
    collect() {
      this.reset();
      eachDirection((labels, d, p) => this.inc(labels, p.totalsByDirection[d].received));
    },
  });
  new Counter({
    name: 'toxiproxy_proxy_sent_bytes_total',
    help: 'Bytes written to the destination side of a proxy, per direction (live).',
    labelNames: LINK_LABELS,
    registers,
    collect() {
      this.reset();
      eachDirection((labels, d, p) => this.inc(labels, p.totalsByDirection[d].sent));
    },
  });
  new Counter({
    name: 'turbulence_proxy_connections_total',
    help: 'Client connections accepted by a proxy.',
    labelNames: ['proxy'],
    registers,
    collect() {
      this.reset();
      for (const p of proxies.proxies.values()) this.inc({ proxy: p.name }, p.totalsByDirection.accepted);
    },
  });
  new Gauge({
    name: 'turbulence_proxy_active_connections',
    help: 'Client connections currently open through a proxy.',
    labelNames: ['proxy'],
    registers,
    collect() {
      this.reset();
      for (const p of proxies.proxies.values()) this.set({ proxy: p.name }, p.connections.size);
    },
  });
  new Gauge({
    name: 'turbulence_proxy_toxics_active',
    help: 'Toxics configured on a proxy, per direction.',
    labelNames: ['proxy', 'direction'],
    registers,
    collect() {
      this.reset();
      eachDirection((l, d, p) => this.set({ proxy: l.proxy, direction: d }, p.toxics.of(d).length));
    },
  });
  registerHttpMetrics(prom, proxies, registers);
  return registry;
}

/** Per-request counters of `protocol: http` proxies, and TLS faults of TLS-terminating proxies. */
function registerHttpMetrics(
  prom: typeof PromClient,
  proxies: ProxyCollection,
  registers: PromClient.Registry[],
): void {
  const { Counter } = prom;
  const httpProxies = (): Proxy[] => [...proxies.proxies.values()].filter((p) => p.protocol === 'http');
  new Counter({
    name: 'turbulence_proxy_http_requests_total',
    help: 'Requests through an http proxy, by outcome (forwarded, answered by http_status, aborted, error).',
    labelNames: ['proxy', 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const p of httpProxies()) {
        for (const [outcome, n] of Object.entries(p.http.outcomes)) this.inc({ proxy: p.name, outcome }, n);
      }
    },
  });
  new Counter({
    name: 'turbulence_proxy_http_errors_total',
    help: 'Malformed or failed HTTP through an http proxy, by side (client, upstream); the connection was closed.',
    labelNames: ['proxy', 'side'],
    registers,
    collect() {
      this.reset();
      for (const p of httpProxies()) {
        for (const [side, n] of Object.entries(p.http.errors)) this.inc({ proxy: p.name, side }, n);
      }
    },
  });
  new Counter({
    name: 'turbulence_proxy_http_toxic_applied_total',
    help: 'Requests an HTTP toxic was applied to (matched and selected by its toxicity).',
    labelNames: ['proxy', 'toxic', 'type'],
    registers,
    collect() {
      this.reset();
      for (const p of httpProxies()) {
        for (const [toxic, a] of p.http.applied) this.inc({ proxy: p.name, toxic, type: a.type }, a.count);
      }
    },
  });
  new Counter({
    name: 'turbulence_proxy_tls_faults_total',
    help: 'Connections a TLS toxic was applied to (a faulty certificate, version, timeout or reset), by toxic.',
    labelNames: ['proxy', 'toxic'],
    registers,
    collect() {
      this.reset();
      for (const p of proxies.proxies.values()) {
        for (const [toxic, n] of p.tlsFront?.faults ?? []) this.inc({ proxy: p.name, toxic }, n);
      }
    },
  });
}
