/**
 * One proxied TCP connection: the accepted client socket, the dialled upstream socket and two links.
 *
 * ```
 *   client ──▶ [upstream link: client → server toxics] ──▶ upstream server
 *   client ◀── [downstream link: server → client toxics] ◀── upstream server
 * ```
 *
 * The upstream is dialled asynchronously (a blackholed upstream never blocks other accepts) after the
 * connection-level toxics (refuse, connect_delay) had their say.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { deriveSeed } from '../core/rng.js';
import { splitHostPort } from './address.js';
import { isSelected, unitDraw } from './random.js';
import { Link, type DirectionCounters, type LinkOwner } from './link.js';
import type { Direction } from './toxic.js';
import type { ToxicRecord } from './toxic-record.js';

/** Give up dialling an upstream that does not answer after this long. */
const DIAL_TIMEOUT_MS = 10_000;
/** After a graceful close, destroy sockets whose peer does not finish within this long. */
const CLOSE_GRACE_MS = 2_000;

/** What a connection needs from its proxy. */
export interface ConnectionHost {
  readonly upstream: string;
  /** When set, the upstream is dialled with TLS (`tls.upstream`). */
  readonly upstreamTls?: ConnectionOptions | undefined;
  toxicsOf(direction: Direction): readonly ToxicRecord[];
  totals(direction: Direction): DirectionCounters;
  /** Called once when both sockets are gone. */
  forget(connection: Connection): void;
}

/** A toxic decision for one connection, as `GET /proxies/{name}/connections` shows it. */
export interface ToxicDecision {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  /** The connection's draw in [0, 1): selected when draw < toxicity. */
  draw: number;
  selected: boolean;
}

/** One client connection through a proxy. */
export class Connection implements LinkOwner {
  readonly id: number;
  readonly seed: number;
  readonly openedAt = Date.now();
  readonly client: Socket;
  upstream: Socket | undefined;
  up: Link | undefined;
  down: Link | undefined;
  private readonly host: ConnectionHost;
  private closed = false;
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(host: ConnectionHost, client: Socket, id: number, proxySeed: number) {
    this.host = host;
    this.client = client;
    this.id = id;
    this.seed = deriveSeed(proxySeed, `connection:${id}`);
    // Shared listeners find the connection in a WeakMap: no closures per connection (idle memory), and no
    // property added to the socket (that would change its hidden class and slow Node's stream code).
    owners.set(client, this);
    client.on('error', onError);
    client.on('close', onClientClose);
  }

  /** Applies connection-level toxics, then dials the upstream. */
  start(): void {
    let delayMs = 0;
    for (const direction of ['upstream', 'downstream'] as const) {
      for (const record of this.host.toxicsOf(direction)) {
        if (!record.type.accept || !this.selects(direction, record)) continue;
        const decision = record.type.accept(record.attributes);
        if (decision.refuse) return this.reset();
        delayMs = Math.max(delayMs, decision.delayMs ?? 0);
      }
    }
    if (delayMs > 0) this.delayTimer = setTimeout(() => this.dial(), delayMs);
    else this.dial();
  }

  /** Rebuilds one direction's chain after a toxic change. */
  sync(direction: Direction): void {
    const link = direction === 'upstream' ? this.up : this.down;
    link?.sync(this.host.toxicsOf(direction));
  }

  /** This connection's decision for every toxic of the proxy. */
  decisions(): ToxicDecision[] {
    const out: ToxicDecision[] = [];
    for (const direction of ['upstream', 'downstream'] as const) {
      for (const r of this.host.toxicsOf(direction)) {
        const draw = this.drawFor(direction, r);
        const selected = isSelected(r.toxicity, draw);
        out.push({ name: r.name, type: r.type.type, stream: r.stream, toxicity: r.toxicity, draw, selected });
      }
    }
    return out;
  }

  /** Ends both sockets (FIN), destroying them if the peers do not finish soon. */
  close(): void {
    for (const socket of [this.client, this.upstream]) {
      if (!socket || socket.destroyed) continue;
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    if (!this.upstream) this.teardown();
  }

  /** Closes both sockets with a TCP RST. */
  reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (socket && !socket.destroyed) socket.resetAndDestroy();
    }
    this.teardown();
  }

  /** Destroys both sockets at once (proxy disabled or deleted). */
  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.teardown();
  }

  private selects(direction: Direction, record: ToxicRecord): boolean {
    return isSelected(record.toxicity, this.drawFor(direction, record));
  }

  private drawFor(direction: Direction, record: ToxicRecord): number {
    const link = direction === 'upstream' ? this.up : this.down;
    return link ? link.draw(record) : unitDraw(deriveSeed(this.seed, direction), record.name);
  }

  private dial(): void {
    this.delayTimer = undefined;
    if (this.closed) return;
    const target = splitHostPort(this.host.upstream);
    if (!target) return this.destroy();
    const secure = this.host.upstreamTls;
    const upstream = secure
      ? tlsConnect({
          ...secure,
          host: target.host,
          port: target.port,
          ...(isIP(target.host) ? {} : { servername: target.host }),
        }).setNoDelay(true)
      : connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    this.upstream = upstream;
    upstream.setTimeout(DIAL_TIMEOUT_MS, () => upstream.destroy());
    owners.set(upstream, this);
    upstream.on('error', onError);
    upstream.on('close', onUpstreamClose);
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      upstream.setTimeout(0);
      if (this.closed) return upstream.destroy();
      this.up = new Link(this, 'upstream', this.seed, this.client, upstream, this.host.totals('upstream'));
      this.down = new Link(this, 'downstream', this.seed, upstream, this.client, this.host.totals('downstream'));
      this.up.sync(this.host.toxicsOf('upstream'));
      this.down.sync(this.host.toxicsOf('downstream'));
      this.client.resume();
    });
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.up?.dispose();
    this.down?.dispose();
    this.host.forget(this);
  }

  /** The client socket closed. */
  clientClosed(hadError: boolean): void {
    if (hadError || !this.upstream || this.upstream.destroyed) this.destroy();
  }

  /** The upstream socket closed. */
  upstreamClosed(hadError: boolean): void {
    if (hadError || this.client.destroyed) this.destroy();
  }
}

/** The connection each client and upstream socket belongs to. */
const owners = new WeakMap<Socket, Connection>();

function onError(this: Socket): void {
  owners.get(this)?.destroy();
}
function onClientClose(this: Socket, hadError: boolean): void {
  owners.get(this)?.clientClosed(hadError);
}
function onUpstreamClose(this: Socket, hadError: boolean): void {
  owners.get(this)?.upstreamClosed(hadError);
}
