/**
 * A proxy: one TCP listener, an upstream `host:port`, an enabled flag and a toxic collection.
 *
 * ```
 *   client ──TCP──▶ listen ──accept──▶ Connection ──dial──▶ upstream
 * ```
 *
 * Disabling or restarting closes the listener and every live connection; toxics live on the proxy and survive.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rootCertificates, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { deriveSeed } from '../core/rng.js';
import { joinHostPort, resolveListen } from './address.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { DirectionCounters } from './link.js';
import type { Direction } from './toxic.js';
import { ToxicCollection } from './toxic-collection.js';
import type { ToxicJson, ToxicRecord } from './toxic-record.js';
import type { HttpConnection } from './http/connection.js';
import type { HttpFront } from './http/front.js';
import { httpStats } from './http/stats.js';
import type { Protocol } from './protocol.js';
import type { TlsFront } from './tls/front.js';
import { tlsJson, upstreamTlsOptions, type TlsOptions } from './tls/options.js';
import type { UdpFront } from './udp/front.js';

/** The proxy as the API returns it. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
  /** Shown only when not `tcp` (turbulence extension; Toxiproxy clients never see it on their proxies). */
  protocol?: Protocol;
  /** Shown only when set (turbulence extension), without the key. */
  tls?: Record<string, unknown>;
}

/** Running totals of a proxy, read by the metrics at scrape time. */
export interface ProxyTotals {
  upstream: DirectionCounters;
  downstream: DirectionCounters;
  /** Connections accepted since the proxy was created. */
  accepted: number;
}

/** One proxy. */
export class Proxy implements ConnectionHost {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics = new ToxicCollection();
  readonly protocol: Protocol;
  readonly tls: TlsOptions | undefined;
  /** Options of the TLS dial to the upstream (`tls.upstream`), set by start(). */
  upstreamTls: ConnectionOptions | undefined;
  readonly connections = new Set<Connection | HttpConnection>();
  /** Request counters of an `http` proxy (zero for the others). */
  readonly http = httpStats();
  readonly totalsByDirection: ProxyTotals = {
    upstream: { received: 0, sent: 0 },
    downstream: { received: 0, sent: 0 },
    accepted: 0,
  };
  private readonly seed: number;
  private server: Server | undefined;
  private front: HttpFront | undefined;
  /** The datagram front end of a `udp` proxy. */
  udp: UdpFront | undefined;
  /** The TLS termination front end (`tls.terminate`), set by start(). */
  tlsFront: TlsFront | undefined;
  /** The TLS front end's per-connection seed (loaded with it). */
  private tlsSeed: ((proxySeed: number, n: number) => number) | undefined;
  private nextId = 0;
  private tlsAccepted = 0;

  constructor(
    name: string,
    listen: string,
    upstream: string,
    serverSeed: number,
    protocol: Protocol = 'tcp',
    tls?: TlsOptions,
  ) {
    this.name = name;
    this.protocol = protocol;
    this.tls = tls;
    this.listen = listen;
    this.upstream = upstream;
    this.seed = deriveSeed(serverSeed, `proxy:${name}`);
  }

  /** Binds the listener (no-op when running) and rewrites `listen` to the bound address. */
  async start(): Promise<void> {
    if (this.server || this.udp) return;
    const { host, port } = await resolveListen(this.listen);
    if (this.protocol === 'udp') return this.startUdp(host, port);
    if (this.tls) await this.prepareTls(host);
    // The protocol front ends (and the TLS CA's x509 code) load on first use: a tcp-only server never pays for them.
    if (this.protocol === 'http') this.front = new (await import('./http/front.js')).HttpFront(this, this.seed);
    const server =
      this.tlsListener() ??
      this.front?.listener ??
      createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, this.onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        this.front?.close();
        this.front = undefined;
        reject(bindError(err, host, port));
      });
      server.listen({ host, port, backlog: 4096 }, () => resolve());
    });
    server.on('error', () => {});
    const bound = server.address();
    if (bound && typeof bound === 'object') this.listen = joinHostPort(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
  }

  private async startUdp(host: string | undefined, port: number): Promise<void> {
    const { UdpFront } = await import('./udp/front.js');
    const udp = new UdpFront(this, this.seed, host?.includes(':') ? 6 : 4);
    try {
      const bound = await udp.bind(host, port);
      this.listen = joinHostPort(bound.address, bound.port);
    } catch (err) {
      udp.close();
      throw bindError(err as NodeJS.ErrnoException, host, port, 'udp');
    }
    this.udp = udp;
    this.enabled = true;
  }

  /** Builds the TLS front end and the upstream TLS options (the test CA is read or created here). */
  private async prepareTls(host: string | undefined): Promise<void> {
    const tls = this.tls as TlsOptions;
    if (tls.terminate && !this.tlsFront) {
      const names = host && host !== '0.0.0.0' && host !== '::' ? [host] : [];
      const { TlsFront, tlsSeed } = await import('./tls/front.js');
      this.tlsSeed = tlsSeed;
      const alpn = this.protocol === 'http' ? (await import('./http/front.js')).HTTP_ALPN : [];
      this.tlsFront = await TlsFront.create(tls, names, alpn);
    }
    if (tls.upstream) {
      const ca = await (await import('./tls/ca.js')).testCa();
      this.upstreamTls = upstreamTlsOptions(tls, [...rootCertificates, ca.cert]);
    }
  }

  /** With TLS termination: a plain TCP listener whose sockets go through the TLS front end first. */
  private tlsListener(): Server | undefined {
    const front = this.tlsFront;
    const seedOf = this.tlsSeed;
    if (!front || !seedOf) return undefined;
    const http = this.front;
    const deliver = http
      ? (socket: TLSSocket) => http.accept(socket)
      : (socket: TLSSocket) => this.onConnection(socket);
    return createServer({ noDelay: true }, (socket) =>
      front.accept(socket, seedOf(this.seed, ++this.tlsAccepted), this.toxics.all(), deliver),
    );
  }

  /** Closes the listener and every connection. Synchronous: nothing waits for data to drain. */
  stop(): void {
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    this.front?.close();
    this.front = undefined;
    this.udp?.close();
    this.udp = undefined;
    for (const connection of [...this.connections]) connection.destroy();
  }

  /** Propagates a toxic change to every live connection of that direction. */
  syncToxics(direction: Direction): void {
    for (const connection of this.connections) connection.sync(direction);
  }

  /** This direction's toxic chain (ConnectionHost). */
  toxicsOf(direction: Direction): readonly ToxicRecord[] {
    return this.toxics.of(direction);
  }

  /** This direction's running byte totals (ConnectionHost). */
  totals(direction: Direction): DirectionCounters {
    return this.totalsByDirection[direction];
  }
  /** Drops a finished connection (ConnectionHost). */
  forget(connection: Connection): void {
    this.connections.delete(connection);
  }

  /** A client connected to the HTTP front end. */
  track(connection: HttpConnection): void {
    this.totalsByDirection.accepted++;
    this.connections.add(connection);
  }

  /** An HTTP client connection closed: its bytes join the totals. */
  untrack(connection: HttpConnection): void {
    this.connections.delete(connection);
    this.totalsByDirection.upstream.received += connection.client.bytesRead;
    this.totalsByDirection.downstream.sent += connection.client.bytesWritten;
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.toJSON(),
      ...(this.protocol === 'tcp' ? {} : { protocol: this.protocol }),
      ...(this.tls ? { tls: tlsJson(this.tls) } : {}),
    };
  }

  private readonly onConnection = (socket: Socket): void => {
    if (this.tlsFront) socket.pause();
    this.totalsByDirection.accepted++;
    const connection = new Connection(this, socket, ++this.nextId, this.seed);
    this.connections.add(connection);
    connection.start();
  };
}

/** Turns a Node bind error into Toxiproxy's wording (`listen tcp 127.0.0.1:3310: bind: address already in use`). */
function bindError(err: NodeJS.ErrnoException, host: string | undefined, port: number, net = 'tcp'): Error {
  const where = joinHostPort(host ?? '', port);
  const reason: Record<string, string> = {
    EADDRINUSE: 'bind: address already in use',
    EACCES: 'bind: permission denied',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
  };
  return new Error(`listen ${net} ${where}: ${reason[err.code ?? ''] ?? err.message}`);
}
