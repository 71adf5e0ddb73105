/**
 * A typed client for the Toxiproxy HTTP API. It talks to turbulence's proxy server and to a real Toxiproxy
 * (turbulence-only endpoints say so). Uses the global `fetch`; sends a non-browser User-Agent.
 */
import { VERSION } from '../version.js';
import type { ToxicDecision } from './connection.js';
import type { ProxyJson } from './proxy.js';
import type { ProxyInput } from './proxy-spec.js';
import type { ToxicJson } from './toxic-record.js';
import type { ToxicInput } from './toxic-spec.js';

/** Options of {@link ProxyClient}. */
export interface ProxyClientOptions {
  /** Bearer token, when the server requires one. */
  token?: string;
  /** Per-request timeout in ms; default 10 000. */
  timeoutMs?: number;
}

/** A live connection as `GET /proxies/{name}/connections` lists it (turbulence only). */
export interface ConnectionInfo {
  id: number;
  client: string;
  upstreamLocal: string | null;
  openedAt: string;
  bytes: Record<'upstream' | 'downstream', { received?: number; sent?: number }>;
  toxics: ToxicDecision[];
}

/** An error answer of the API: `status` and Toxiproxy's `error` message. */
export class ProxyClientError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(`HTTP ${status}: ${message}`);
    this.name = 'ProxyClientError';
    this.status = status;
  }
}

/**
 * Client of a Toxiproxy-compatible server.
 *
 * @example
 * const api = new ProxyClient('http://127.0.0.1:8474');
 * await api.createProxy({ name: 'db', listen: '127.0.0.1:25432', upstream: '127.0.0.1:5432' });
 * await api.addToxic('db', { type: 'latency', attributes: { latency: 200 } });
 */
export class ProxyClient {
  readonly url: string;
  private readonly options: ProxyClientOptions;

  constructor(url = 'http://127.0.0.1:8474', options: ProxyClientOptions = {}) {
    this.url = (/^https?:\/\//.test(url) ? url : `http://${url}`).replace(/\/+$/, '');
    this.options = options;
  }

  /** `GET /version`. */
  version(): Promise<{ version: string }> {
    return this.call('GET', '/version');
  }
  /** `GET /proxies`: every proxy keyed by name. */
  list(): Promise<Record<string, ProxyJson>> {
    return this.call('GET', '/proxies');
  }
  /** `GET /proxies/{name}`. */
  get(name: string): Promise<ProxyJson> {
    return this.call('GET', `/proxies/${enc(name)}`);
  }
  /** `POST /proxies`; `toxics` in the input are attached before it accepts (turbulence servers). */
  createProxy(input: ProxyInput): Promise<ProxyJson> {
    return this.call('POST', '/proxies', input);
  }
  /** Changes listen/upstream/enabled (POST, which every Toxiproxy version accepts). */
  updateProxy(name: string, input: Omit<ProxyInput, 'name' | 'toxics'>): Promise<ProxyJson> {
    return this.call('POST', `/proxies/${enc(name)}`, input);
  }
  /** `DELETE /proxies/{name}`. */
  deleteProxy(name: string): Promise<void> {
    return this.call('DELETE', `/proxies/${enc(name)}`);
  }
  /** `POST /populate`: add or replace proxies. */
  populate(inputs: readonly ProxyInput[]): Promise<{ proxies: ProxyJson[] }> {
    return this.call('POST', '/populate', inputs);
  }
  /** `POST /reset`: enable every proxy, remove every toxic. */
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }
  /** `GET /proxies/{proxy}/toxics`. */
  toxics(proxy: string): Promise<ToxicJson[]> {
    return this.call('GET', `/proxies/${enc(proxy)}/toxics`);
  }
  /** `GET /proxies/{proxy}/toxics/{toxic}`. */
  getToxic(proxy: string, toxic: string): Promise<ToxicJson> {
    return this.call('GET', `/proxies/${enc(proxy)}/toxics/${enc(toxic)}`);
  }
  /** `POST /proxies/{proxy}/toxics`: applies to live connections at once. */
  addToxic(proxy: string, toxic: ToxicInput): Promise<ToxicJson> {
    return this.call('POST', `/proxies/${enc(proxy)}/toxics`, toxic);
  }
  /** Partial update: omitted attributes and toxicity keep their values. */
  updateToxic(proxy: string, toxic: string, patch: Pick<ToxicInput, 'attributes' | 'toxicity'>): Promise<ToxicJson> {
    return this.call('PATCH', `/proxies/${enc(proxy)}/toxics/${enc(toxic)}`, patch);
  }
  /** `DELETE /proxies/{proxy}/toxics/{toxic}`. */
  removeToxic(proxy: string, toxic: string): Promise<void> {
    return this.call('DELETE', `/proxies/${enc(proxy)}/toxics/${enc(toxic)}`);
  }
  /** Live connections with their toxic decisions (turbulence only). */
  connections(proxy: string): Promise<ConnectionInfo[]> {
    return this.call('GET', `/proxies/${enc(proxy)}/connections`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'User-Agent': `turbulence/${VERSION}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new ProxyClientError(res.status, errorText(text));
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim();
}
