/**
 * The registry of proxies of one server, and every state change the API can make: create, update, delete,
 * populate, reset, and toxic add/update/remove. Changes apply to live connections synchronously and are
 * announced as {@link ProxyEvent}s.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ApiError, proxyExists, proxyNotFound, toxicNotFound } from './api-error.js';
import { CHANGE, publishProxyEvent, type ProxyEvent } from './events.js';
import { Proxy, type ProxyJson } from './proxy.js';
import { proxyInput, requireFields, type ProxyInput } from './proxy-spec.js';
import type { AnyToxicType } from './toxic.js';
import { toxicJson, type ToxicJson } from './toxic-record.js';
import { createToxic, updateToxic } from './toxic-spec.js';
import { parseProtocol } from './protocol.js';
import { parseTls } from './tls/options.js';
import { resolveListen, joinHostPort } from './address.js';

/** Where a proxy created without `listen` binds: loopback, any free port (Toxiproxy binds every interface). */
export const DEFAULT_LISTEN = '127.0.0.1:0';

/** Most proxies one populate may create or replace; a larger one is refused with 413 before anything changes. */
export const MAX_POPULATE = 10_000;

/** All proxies of a server. */
export class ProxyCollection extends EventEmitter {
  readonly proxies = new Map<string, Proxy>();
  readonly registry: ReadonlyMap<string, AnyToxicType>;
  readonly seed: number;

  constructor(registry: ReadonlyMap<string, AnyToxicType>, seed: number) {
    super();
    this.registry = registry;
    this.seed = seed;
  }

  /** The proxy named `name`, or a 404. */
  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  /** `GET /proxies`: every proxy keyed by name. */
  list(): Record<string, ProxyJson> {
    return Object.fromEntries([...this.proxies].map(([name, p]) => [name, p.toJSON()]));
  }

  /** `POST /proxies`: creates (and starts unless `enabled: false`); toxics in the body are attached first. */
  async create(body: unknown): Promise<Proxy> {
    const input = proxyInput(body);
    const { name, upstream } = requireFields(input);
    if (this.proxies.has(name)) throw proxyExists();
    const proxy = this.build(name, upstream, input);
    if (input.enabled !== false) await proxy.start();
    this.proxies.set(name, proxy);
    this.emitChange({ type: 'proxy.created', at: now(), proxy: proxy.toJSON() });
    return proxy;
  }

  /** `POST|PATCH /proxies/{name}`: changes listen/upstream (restart) and/or enabled. */
  async update(name: string, body: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    const input = proxyInput(body);
    if (input.protocol !== undefined && input.protocol !== null && parseProtocol(input.protocol) !== proxy.protocol) {
      throw new ApiError(
        `bad request body: protocol cannot change on a live proxy (${proxy.protocol}); delete the proxy and create it with the new protocol`,
        400,
      );
    }
    if (
      input.tls !== undefined &&
      input.tls !== null &&
      JSON.stringify(parseTls(input.tls)) !== JSON.stringify(proxy.tls)
    ) {
      throw new ApiError(
        'bad request body: tls cannot change on a live proxy; delete the proxy and create it with the new tls options',
        400,
      );
    }
    const listen = input.listen ?? proxy.listen;
    const upstream = input.upstream ?? proxy.upstream;
    const enabled = input.enabled ?? proxy.enabled;
    if ((await differs(proxy, listen)) || upstream !== proxy.upstream) {
      proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
      if (enabled) await proxy.start();
    } else if (enabled && !proxy.enabled) await proxy.start();
    else if (!enabled && proxy.enabled) proxy.stop();
    this.emitChange({ type: 'proxy.updated', at: now(), proxy: proxy.toJSON() });
    return proxy;
  }

  /** `DELETE /proxies/{name}`: stops and forgets the proxy. */
  remove(name: string): void {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
    this.emitChange({ type: 'proxy.deleted', at: now(), proxy: proxy.toJSON() });
  }

  /**
   * `POST /populate`: adds or replaces each proxy in order; an unchanged proxy is kept as it is, unless the entry
   * lists toxics, which then replace its toxics. Stops at the first failure, reporting what was done before it.
   */
  async populate(inputs: readonly ProxyInput[]): Promise<Proxy[]> {
    if (inputs.length > MAX_POPULATE) {
      throw new ApiError(`populate of ${inputs.length} proxies is over the limit of ${MAX_POPULATE}`, 413);
    }
    const done: Proxy[] = [];
    try {
      for (const input of inputs) {
        done.push(await this.populateOne(input));
        // Let live connections and other API calls run between binds: a big populate never freezes the data path.
        await yieldToLoop();
      }
    } catch (err) {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { populated: done });
    }
    return done;
  }

  /** `POST /reset`: enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      if (!proxy.enabled) await proxy.start();
      for (const direction of proxy.toxics.clear()) proxy.syncToxics(direction);
    }
    this.emitChange({ type: 'reset', at: now() });
  }

  /** `POST /proxies/{name}/toxics`: adds a toxic, applied at once to live connections. */
  addToxic(proxyName: string, body: unknown): ToxicJson {
    const proxy = this.get(proxyName);
    const record = createToxic(body, this.registry, proxy.toxics, proxy.protocol, proxy.tls?.terminate);
    proxy.toxics.add(record);
    proxy.syncToxics(record.direction);
    const toxic = toxicJson(record);
    this.emitChange({ type: 'toxic.added', at: now(), proxy: proxy.name, toxic });
    return toxic;
  }

  /** `POST|PATCH /proxies/{name}/toxics/{toxic}`: partial update, applied at once to live connections. */
  updateToxic(proxyName: string, toxicName: string, body: unknown): ToxicJson {
    const proxy = this.get(proxyName);
    const record = proxy.toxics.find(toxicName);
    if (!record) throw toxicNotFound();
    updateToxic(record, body);
    proxy.syncToxics(record.direction);
    const toxic = toxicJson(record);
    this.emitChange({ type: 'toxic.updated', at: now(), proxy: proxy.name, toxic });
    return toxic;
  }

  /** `DELETE /proxies/{name}/toxics/{toxic}`: removes a toxic; held data is flushed, never waited for. */
  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.get(proxyName);
    const record = proxy.toxics.remove(toxicName);
    if (!record) throw toxicNotFound();
    proxy.syncToxics(record.direction);
    this.emitChange({ type: 'toxic.removed', at: now(), proxy: proxy.name, toxic: toxicJson(record) });
  }

  /** Stops every proxy (server shutdown). */
  stopAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
  }

  private build(name: string, upstream: string, input: ProxyInput): Proxy {
    const protocol = parseProtocol(input.protocol);
    const tls = parseTls(input.tls);
    if (tls && protocol === 'udp') {
      throw new ApiError('bad request body: tls is for tcp and http proxies, not udp (DTLS is not supported)', 400);
    }
    const proxy = new Proxy(name, input.listen || DEFAULT_LISTEN, upstream, this.seed, protocol, tls);
    for (const toxic of input.toxics ?? []) {
      proxy.toxics.add(createToxic(toxic, this.registry, proxy.toxics, protocol, tls?.terminate));
    }
    return proxy;
  }

  private async populateOne(input: ProxyInput): Promise<Proxy> {
    const { name, upstream } = requireFields(input);
    const existing = this.proxies.get(name);
    const same =
      existing &&
      existing.protocol === parseProtocol(input.protocol) &&
      JSON.stringify(existing.tls) === JSON.stringify(parseTls(input.tls)) &&
      !(await differs(existing, input.listen || DEFAULT_LISTEN)) &&
      existing.upstream === upstream;
    if (existing && same) {
      if (input.toxics) this.replaceToxics(existing, input);
      return existing;
    }
    existing?.stop();
    const proxy = this.build(name, upstream, input);
    if (input.enabled !== false) await proxy.start();
    this.proxies.set(name, proxy);
    this.emitChange({ type: existing ? 'proxy.updated' : 'proxy.created', at: now(), proxy: proxy.toJSON() });
    return proxy;
  }

  private replaceToxics(proxy: Proxy, input: ProxyInput): void {
    const fresh = this.build(proxy.name, proxy.upstream, input);
    proxy.toxics.clear();
    for (const record of fresh.toxics.all()) proxy.toxics.add(record);
    proxy.syncToxics('upstream');
    proxy.syncToxics('downstream');
    this.emitChange({ type: 'proxy.updated', at: now(), proxy: proxy.toJSON() });
  }

  private emitChange(event: ProxyEvent): void {
    this.emit(CHANGE, event);
    publishProxyEvent(event);
  }
}

/** Toxiproxy's "differs" test: the new listen, resolved, is not the stored listen string. */
async function differs(proxy: Proxy, listen: string): Promise<boolean> {
  if (listen === proxy.listen) return false;
  const { host, port } = await resolveListen(listen);
  return joinHostPort(host ?? '::', port) !== proxy.listen;
}

function now(): string {
  return new Date().toISOString();
}
