/**
 * The chaos DNS server: listens on UDP and TCP (same address and port), forwards to a real upstream, and applies
 * its rules to every query. Optionally serves the HTTP control API.
 *
 *   client ──UDP/TCP──▶ listener ──▶ handleQuery (rules, actions) ──▶ cache ──▶ Upstream (UDP, TCP on TC) ──▶ resolver
 *
 * UDP queries take a fast path when no rule is set and nobody listens to `query` events: the raw bytes go to the
 * cache or straight to the upstream and back, with callbacks instead of promises and plain counters instead of
 * event objects. Anything unusual (malformed, other opcodes, odd shapes) takes the full path.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIP, type Server, type Socket as TcpSocket } from 'node:net';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { Rng, newSeed } from '../core/rng.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { startControlApi, type ControlApi } from './api.js';
import { RuleEngine, type DnsRuleStatus, type FiredRule } from './engine.js';
import { DnsCache, cacheKey, type CacheQuery, type DnsCacheStats } from './cache.js';
import { fitUdp, handleQuery, servfailReply, type DnsQueryEvent, type HandlerDeps } from './handler.js';
import { peekQuery } from './peek.js';
import { DelayGate } from './delay-gate.js';
import { FrameReader, frame } from './tcp-frame.js';
import { Upstream } from './upstream.js';
import { publishDnsQuery, publishDnsRule } from './events.js';
import { rcodeName, udpLimit } from './wire.js';

/** Options of {@link createDnsServer}. */
export interface DnsServerOptions {
  /** Where to listen, UDP and TCP: `127.0.0.1:5353` (port 0 picks a free one). */
  listen: string | HostPort;
  /** The real resolver to forward to: `127.0.0.1:53`. */
  upstream: string | HostPort;
  /** Rules to start with (see {@link DnsRuleInput}). */
  rules?: readonly unknown[];
  /** Seed of the rules' RNG (default: a fresh one, readable as `server.seed`). Ignored when `rng` is given. */
  seed?: number;
  /** The run's RNG; rules draw from forks of it. */
  rng?: Rng;
  /** Serve the HTTP control API here (`127.0.0.1:5380`). */
  api?: string | HostPort;
  /** Bearer token the control API requires; mandatory when it listens beyond loopback. */
  apiToken?: string;
  /** Milliseconds to wait for the upstream before answering SERVFAIL (default 2000). */
  upstreamTimeoutMs?: number;
  /** Our EDNS(0) UDP payload ceiling (default 1232, the DNS Flag Day 2020 value). */
  maxUdpPayload?: number;
  /** Milliseconds an idle TCP connection is kept (default 10000). */
  tcpIdleMs?: number;
  /**
   * Cache the upstream's answers for their TTL, as dnsmasq and CoreDNS do (default true). Rules still apply to
   * every query; set false so that every query not answered by a rule reaches the upstream.
   */
  cache?: boolean;
  /** Most answers the cache holds, least recently used evicted first (default 10000). */
  cacheSize?: number;
  /** Longest time in seconds an answer is cached, whatever its TTL (default 3600). */
  cacheMaxTtl?: number;
  /** Most queries `delay` rules hold at once; more are dropped (default 1000). See docs/dns.md. */
  maxDelayedQueries?: number;
  /** Most bytes `delay` rules hold at once (replies + queries + ~1 KiB each); more are dropped (default 8 MiB). */
  maxDelayedBytes?: number;
  /** Most rules the server holds (default 1000); adding one more is refused. */
  maxRules?: number;
}

/** Where a started server listens. */
export interface DnsServerAddress {
  /** UDP and TCP address of the DNS service. */
  dns: HostPort;
  /** Base URL of the control API, when enabled. */
  api?: string;
}

/** Counters since start. */
export interface DnsServerStats {
  queries: number;
  /** Queries by transport: a client that retried over TCP after a truncated answer shows in both. */
  byTransport: { udp: number; tcp: number };
  answered: number;
  dropped: number;
  reset: number;
  byRcode: Record<string, number>;
  rules: DnsRuleStatus[];
  /** Cache counters; absent when the cache is off. */
  cache?: DnsCacheStats;
}

const MAX_TCP_BUFFER = 2 * 65537;

/**
 * A chaos DNS server. Emits `query` ({@link DnsQueryEvent}) for every query.
 *
 * @example
 * const server = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:5353', api: '127.0.0.1:0' });
 * const { dns, api } = await server.start();
 * server.addRule({ name: 'svc.test', action: 'truncate' });
 * await server.close();
 */
export class DnsServer extends EventEmitter<{ query: [DnsQueryEvent] }> {
  readonly engine: RuleEngine;
  readonly seed: number;
  private readonly upstream: Upstream;
  private readonly deps: HandlerDeps;
  /** The bound on queries held by `delay` rules (its counters: held, bytes, refused). */
  readonly delays: DelayGate;
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private api: ControlApi | undefined;
  private readonly conns = new Set<TcpSocket>();
  private address: DnsServerAddress | undefined;
  private readonly counters = { queries: 0, answered: 0, dropped: 0, reset: 0 };
  private readonly transports = { udp: 0, tcp: 0 };
  /** Answers by rcode (index = the 4-bit rcode). */
  private readonly rcodes: number[] = new Array<number>(16).fill(0);
  /** The answer cache, unless `cache: false`. */
  readonly cache: DnsCache | undefined;
  private readonly maxUdpPayload: number;

  constructor(private readonly options: DnsServerOptions) {
    super();
    const rng = options.rng ?? new Rng(options.seed ?? newSeed());
    this.seed = rng.seed;
    this.engine = new RuleEngine(rng, options.maxRules);
    (options.rules ?? []).forEach((r) => this.engine.add(r));
    this.upstream = new Upstream(parseHostPort(options.upstream, 53, 'upstream'), options.upstreamTimeoutMs ?? 2000);
    this.maxUdpPayload = options.maxUdpPayload ?? 1232;
    this.cache =
      options.cache === false
        ? undefined
        : new DnsCache({
            maxEntries: positive(options.cacheSize, 10_000, 'cacheSize'),
            maxTtl: positive(options.cacheMaxTtl, 3600, 'cacheMaxTtl'),
          });
    this.delays = new DelayGate(options.maxDelayedQueries, options.maxDelayedBytes);
    this.deps = {
      engine: this.engine,
      upstream: this.upstream,
      maxUdpPayload: this.maxUdpPayload,
      cache: this.cache,
      delays: this.delays,
    };
  }

  /** Binds UDP, TCP (and the API); resolves with the addresses. */
  async start(): Promise<DnsServerAddress> {
    if (this.address) return this.address;
    const want = parseHostPort(this.options.listen, 53, 'listen address');
    await this.upstream.open();
    try {
      const dns = await this.bindBoth(want);
      this.address = { dns };
      if (this.options.api !== undefined) {
        this.api = await startControlApi(this, parseHostPort(this.options.api, 5380, 'API address'), {
          token: this.options.apiToken,
        });
        this.address.api = this.api.url;
      }
      return this.address;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Stops listening, resets open TCP connections and closes the upstream socket. */
  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      this.api?.close(),
    ]);
    this.tcp = this.udp = this.api = this.address = undefined;
    this.upstream.close();
  }

  /** Adds (or replaces, by id) a rule. */
  addRule(rule: unknown): DnsRuleStatus {
    const added = this.engine.add(rule);
    return publishDnsRule({ type: 'dns.rule.added', rule: added }, added);
  }

  /** Removes a rule; false when there was none. */
  removeRule(id: string): boolean {
    const removed = this.engine.remove(id);
    return removed ? publishDnsRule({ type: 'dns.rule.removed', id }, removed) : removed;
  }

  /** The rules with their hit counts. */
  listRules(): DnsRuleStatus[] {
    return this.engine.list();
  }

  /** Counters since start. */
  stats(): DnsServerStats {
    const byRcode: Record<string, number> = {};
    this.rcodes.forEach((n, code) => n > 0 && (byRcode[rcodeName(code)] = n));
    const out: DnsServerStats = {
      ...this.counters,
      byTransport: { ...this.transports },
      byRcode,
      rules: this.engine.list(),
    };
    if (this.cache) out.cache = this.cache.stats();
    return out;
  }

  /** The upstream, as `HOST:PORT`. */
  get upstreamAddress(): string {
    return formatHostPort(this.upstream.server);
  }

  private async bindBoth(want: HostPort): Promise<HostPort> {
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(want);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp({ host: want.host, port });
        this.udp = udp;
        return { host: want.host, port };
      } catch (err) {
        udp.close();
        if (want.port !== 0 || attempt >= 5) throw bindError(want, 'TCP', err);
      }
    }
  }

  private bindUdp(at: HostPort): Promise<Socket> {
    // Clients are always IP literals: answer the socket's address lookup at once (the default goes through
    // dns.lookup and a nextTick for every datagram sent).
    const socket = createSocket({ type: isIP(at.host) === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => reject(bindError(at, 'UDP', err)));
      socket.bind(at.port, at.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        socket.on('message', (msg, rinfo) => this.onUdp(socket, msg, rinfo));
        resolve(socket);
      });
    });
  }

  private bindTcp(at: HostPort): Promise<Server> {
    const server = createServer((c) => this.onTcp(c));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        resolve(server);
      });
    });
  }

  private onUdp(socket: Socket, msg: Buffer, rinfo: { address: string; port: number }): void {
    let fired: FiredRule[] | undefined;
    if (this.listenerCount('query') === 0) {
      if (this.engine.empty) {
        if (this.fastUdp(socket, msg, rinfo)) return;
      } else if (msg.length >= 12 && ((msg[2] as number) & 0xf8) === 0) {
        // A query (QR 0, opcode QUERY): fire the rules here; when none fires it takes the fast path too.
        const peek = peekQuery(msg);
        if (peek) {
          fired = this.engine.fire({ name: peek.name, type: peek.type, client: rinfo.address, transport: 'udp' });
          if (fired.length === 0) {
            const q = this.cache ? cacheKey(msg) : undefined;
            if (this.cache && !q) this.cache.bypass();
            return this.relay(socket, msg, rinfo, q, udpLimit(peek.edns, this.maxUdpPayload));
          }
        }
      }
    }
    const client = { address: rinfo.address, port: rinfo.port };
    void handleQuery(msg, 'udp', client, this.deps, fired).then(({ outcome, event }) => {
      this.record(event, outcome.kind === 'reply' ? outcome.bytes : undefined);
      if (outcome.kind === 'reply' && this.udp === socket) socket.send(outcome.bytes, client.port, client.address);
    });
  }

  /**
   * No rules, no listeners: serve an ordinary query from the cache or relay its bytes to the upstream and back.
   * False (nothing done) for queries the full path must look at.
   */
  private fastUdp(socket: Socket, msg: Buffer, rinfo: { address: string; port: number }): boolean {
    const q = this.cache ? cacheKey(msg) : undefined;
    if (q) {
      this.relay(socket, msg, rinfo, q, udpLimit(q.edns, this.maxUdpPayload));
      return true;
    }
    const peek = peekQuery(msg);
    if (!peek || ((msg[2] as number) & 0xf8) !== 0) return false;
    this.cache?.bypass();
    this.relay(socket, msg, rinfo, undefined, udpLimit(peek.edns, this.maxUdpPayload));
    return true;
  }

  /** Answers from the cache when it can, else forwards the raw query with a callback (no promise, no event). */
  private relay(
    socket: Socket,
    msg: Buffer,
    rinfo: { address: string; port: number },
    q: CacheQuery | undefined,
    limit: number,
  ): void {
    if (q) {
      const hit = (this.cache as DnsCache).get(q, msg, limit);
      if (hit) {
        this.counters.queries++;
        this.transports.udp++;
        this.counters.answered++;
        this.countRcode(hit);
        socket.send(hit, rinfo.port, rinfo.address);
        return;
      }
    }
    const { address, port } = rinfo;
    const clientId = msg.readUInt16BE(0);
    this.upstream.send(msg, (err, answer) =>
      this.fastReply(socket, address, port, q, limit, clientId, msg, err, answer),
    );
  }

  private fastReply(
    socket: Socket,
    address: string,
    port: number,
    q: CacheQuery | undefined,
    limit: number,
    clientId: number,
    query: Buffer,
    err: Error | undefined,
    answer: Buffer | undefined,
  ): void {
    this.counters.queries++;
    this.transports.udp++;
    let out: Buffer | undefined;
    if (answer) {
      if (q) this.cache?.put(q, answer);
      try {
        out = fitUdp(answer, limit);
      } catch {
        out = undefined; // an upstream answer we cannot decode and that does not fit: SERVFAIL below
      }
    }
    if (!out) {
      query.writeUInt16BE(clientId, 0);
      out = servfailReply(query);
      void err; // the full path reports the reason in its query event; here only the counters see it
    }
    if (!out) return void this.counters.dropped++;
    this.counters.answered++;
    this.countRcode(out);
    if (this.udp === socket) socket.send(out, port, address);
  }

  private onTcp(socket: TcpSocket): void {
    this.conns.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.tcpIdleMs ?? 10_000, () => socket.destroy());
    socket.on('close', () => this.conns.delete(socket));
    socket.on('error', () => undefined);
    const client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      if (reader.pending + chunk.length > MAX_TCP_BUFFER) return void socket.destroy();
      for (const msg of reader.push(chunk)) {
        if (msg.length === 0) return void socket.destroy();
        void handleQuery(msg, 'tcp', client, this.deps).then(({ outcome, event }) => {
          this.record(event, outcome.kind === 'reply' ? outcome.bytes : undefined);
          if (socket.destroyed) return;
          if (outcome.kind === 'reply') socket.write(frame(outcome.bytes));
          else if (outcome.kind === 'reset') socket.resetAndDestroy();
        });
      }
    });
  }

  private countRcode(reply: Buffer): void {
    const code = (reply[3] ?? 0) & 0xf;
    this.rcodes[code] = (this.rcodes[code] ?? 0) + 1;
  }

  private record(event: DnsQueryEvent, reply: Buffer | undefined): void {
    const c = this.counters;
    c.queries++;
    this.transports[event.transport]++;
    if (event.outcome === 'answered') c.answered++;
    else if (event.outcome === 'reset') c.reset++;
    else c.dropped++;
    if (reply) this.countRcode(reply);
    this.emit('query', event);
    publishDnsQuery(event);
  }
}

/**
 * Creates a chaos DNS server (not yet listening: call `start()`).
 *
 * @example
 * const server = createDnsServer({ listen: '127.0.0.1:5354', upstream: '127.0.0.1:5353', rules: [
 *   { name: 'svc.test', action: 'inflate(60)' },
 * ] });
 * await server.start();
 */
export function createDnsServer(options: DnsServerOptions): DnsServer {
  return new DnsServer(options);
}

function bindError(at: HostPort, what: string, err: unknown): TurbulenceError {
  return new TurbulenceError(ErrorCodes.USAGE, `cannot listen on ${what} ${formatHostPort(at)}: ${errorMessage(err)}`, {
    hint: 'pick a free port, or an address of this machine (ports below 1024 need root)',
    cause: err,
  });
}

/** dgram's address lookup for IP literals, answered synchronously. */
function literalLookup(
  address: string,
  _family: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  if (family === 0) callback(new Error(`not an IP address: ${address}`), address, 0);
  else callback(null, address, family);
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TurbulenceError(ErrorCodes.USAGE, `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
