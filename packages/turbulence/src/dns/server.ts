/**
 * The chaos DNS server: listens on UDP and TCP (same address and port), forwards to a real upstream, and applies
 * its rules to every query. Optionally serves the HTTP control API.
 *
 *   client ──UDP/TCP──▶ listener ──▶ handleQuery (rules, actions) ──▶ Upstream (UDP, TCP on TC) ──▶ resolver
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIP, type Server, type Socket as TcpSocket } from 'node:net';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { Rng, newSeed } from '../core/rng.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { startControlApi, type ControlApi } from './api.js';
import { RuleEngine, type DnsRuleStatus } from './engine.js';
import { handleQuery, type DnsQueryEvent, type HandlerDeps } from './handler.js';
import { FrameReader, frame } from './tcp-frame.js';
import { Upstream } from './upstream.js';

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
  answered: number;
  dropped: number;
  reset: number;
  byRcode: Record<string, number>;
  rules: DnsRuleStatus[];
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
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private api: ControlApi | undefined;
  private readonly conns = new Set<TcpSocket>();
  private address: DnsServerAddress | undefined;
  private readonly counters = { queries: 0, answered: 0, dropped: 0, reset: 0, byRcode: {} as Record<string, number> };

  constructor(private readonly options: DnsServerOptions) {
    super();
    const rng = options.rng ?? new Rng(options.seed ?? newSeed());
    this.seed = rng.seed;
    this.engine = new RuleEngine(rng);
    (options.rules ?? []).forEach((r) => this.engine.add(r));
    this.upstream = new Upstream(parseHostPort(options.upstream, 53, 'upstream'), options.upstreamTimeoutMs ?? 2000);
    this.deps = { engine: this.engine, upstream: this.upstream, maxUdpPayload: options.maxUdpPayload ?? 1232 };
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
        this.api = await startControlApi(
          this,
          parseHostPort(this.options.api, 5380, 'API address'),
          this.options.apiToken,
        );
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
    return this.engine.add(rule);
  }

  /** Removes a rule; false when there was none. */
  removeRule(id: string): boolean {
    return this.engine.remove(id);
  }

  /** The rules with their hit counts. */
  listRules(): DnsRuleStatus[] {
    return this.engine.list();
  }

  /** Counters since start. */
  stats(): DnsServerStats {
    return { ...this.counters, byRcode: { ...this.counters.byRcode }, rules: this.engine.list() };
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
    const socket = createSocket({ type: isIP(at.host) === 6 ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => reject(bindError(at, 'UDP', err)));
      socket.bind(at.port, at.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        socket.on('message', (msg, rinfo) => this.onUdp(socket, msg, { address: rinfo.address, port: rinfo.port }));
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

  private onUdp(socket: Socket, msg: Buffer, client: { address: string; port: number }): void {
    void handleQuery(msg, 'udp', client, this.deps).then(({ outcome, event }) => {
      this.record(event);
      if (outcome.kind === 'reply' && this.udp === socket) socket.send(outcome.bytes, client.port, client.address);
    });
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
          this.record(event);
          if (socket.destroyed) return;
          if (outcome.kind === 'reply') socket.write(frame(outcome.bytes));
          else if (outcome.kind === 'reset') socket.resetAndDestroy();
        });
      }
    });
  }

  private record(event: DnsQueryEvent): void {
    const c = this.counters;
    c.queries++;
    if (event.outcome === 'answered') c.answered++;
    else if (event.outcome === 'reset') c.reset++;
    else c.dropped++;
    if (event.rcode) c.byRcode[event.rcode] = (c.byRcode[event.rcode] ?? 0) + 1;
    this.emit('query', event);
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
