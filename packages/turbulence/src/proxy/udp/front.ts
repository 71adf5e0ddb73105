/**
 * The UDP proxy: one datagram socket on `listen`; each client address (ip:port) gets a session with its own
 * socket towards the upstream, so replies find their way back. Every datagram runs through the toxics of
 * its direction (`upstream` = client → server), each acting with probability `toxicity`, drawn per datagram from
 * a generator seeded by the server seed, the proxy, the session number and the direction.
 *
 * ```
 *   client ──dgram──▶ listen socket ──session(client addr)──▶ [upstream toxics] ──▶ session socket ──▶ upstream
 *   client ◀──dgram── listen socket ◀──[downstream toxics]◀── session socket ◀────────────────────── upstream
 * ```
 * A session idle for 30-60 s is closed (a sweep, no per-datagram timer work). With no toxic on a direction, a datagram is forwarded at once.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { deriveSeed, Rng } from '../../core/rng.js';
import { splitHostPort } from '../address.js';
import type { DirectionCounters } from '../link.js';
import type { Direction } from '../toxic.js';
import type { ToxicRecord } from '../toxic-record.js';
import type { Datagram, UdpToxicType } from './toxics.js';

const IDLE_MS = 60_000;
/** Datagrams a session holds while its socket connects (more are dropped, as a full socket buffer would). */
const MAX_PENDING = 256;

/** What the UDP front end needs from its proxy. */
export interface UdpHost {
  readonly upstream: string;
  toxicsOf(direction: Direction): readonly ToxicRecord[];
  totals(direction: Direction): DirectionCounters;
}

/** One client address. */
class Session {
  readonly id: number;
  readonly client: { address: string; port: number };
  readonly socket: Socket;
  readonly rng: Record<Direction, Rng>;
  readonly openedAt = Date.now();
  readonly datagrams = { upstream: 0, downstream: 0 };
  /** Datagram count at the last idle sweep. */
  seenAtSweep = -1;
  closed = false;
  readonly key: string;
  readonly timers = new Set<NodeJS.Timeout>();
  /** The session socket is connected to the upstream; until then datagrams wait in `pending`. */
  connected = false;
  readonly pending: Buffer[] = [];

  constructor(id: number, client: { address: string; port: number }, socket: Socket, seed: number) {
    this.id = id;
    this.key = `${client.address}|${client.port}`;
    this.client = client;
    this.socket = socket;
    const s = deriveSeed(seed, `udp:${id}`);
    this.rng = { upstream: new Rng(deriveSeed(s, 'upstream')), downstream: new Rng(deriveSeed(s, 'downstream')) };
  }
}

/** The UDP front end of one proxy. */
export class UdpFront {
  private readonly host: UdpHost;
  private readonly seed: number;
  private readonly listener: Socket;
  private readonly sessions = new Map<string, Session>();
  private readonly target: { host: string; port: number } | undefined;
  private nextId = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(host: UdpHost, seed: number, family: 4 | 6) {
    this.host = host;
    this.seed = seed;
    this.target = splitHostPort(host.upstream);
    this.listener = createSocket(family === 6 ? 'udp6' : 'udp4');
    this.listener.on('message', this.onClient);
    // Idle sessions are found by a sweep, so a datagram costs no timer work.
    this.sweeper = setInterval(() => this.sweep(), IDLE_MS / 2).unref();
  }

  private sweep(): void {
    for (const session of [...this.sessions.values()]) {
      const seen = session.datagrams.upstream + session.datagrams.downstream;
      if (seen === session.seenAtSweep) this.end(session);
      else session.seenAtSweep = seen;
    }
  }

  /** Binds; resolves with the bound address. */
  bind(host: string | undefined, port: number): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.bind({ port, ...(host ? { address: host } : {}) }, () => {
        this.listener.off('error', reject);
        this.listener.on('error', () => {});
        resolve(this.listener.address());
      });
    });
  }

  /** Closes the listener and every session (held datagrams are dropped). */
  close(): void {
    clearInterval(this.sweeper);
    for (const session of [...this.sessions.values()]) this.end(session);
    this.listener.close();
  }

  /** Live sessions, for the connections endpoint. */
  info(): Record<string, unknown>[] {
    return [...this.sessions.values()].map((s) => ({
      id: s.id,
      client: `${s.client.address}:${s.client.port}`,
      upstreamLocal: null,
      openedAt: new Date(s.openedAt).toISOString(),
      bytes: { upstream: {}, downstream: {} },
      datagrams: { ...s.datagrams },
      toxics: [],
    }));
  }

  private readonly onClient = (data: Buffer, from: { address: string; port: number }): void => {
    const target = this.target;
    if (!target) return;
    const key = `${from.address}|${from.port}`;
    let session = this.sessions.get(key);
    if (!session) {
      const socket = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
      session = new Session(++this.nextId, { address: from.address, port: from.port }, socket, this.seed);
      const s = session;
      socket.on('error', () => this.end(s));
      // A connected socket: the kernel keeps only the upstream's replies, and a send needs no address lookup
      // and no route lookup. Datagrams sent before the connect completes wait in `pending`.
      socket.on('message', (reply: Buffer) => this.pass(s, 'downstream', reply));
      socket.connect(target.port, target.host, () => {
        s.connected = true;
        for (const data of s.pending.splice(0)) if (!s.closed) socket.send(data);
      });
      this.sessions.set(key, session);
    }
    this.pass(session, 'upstream', data);
  };

  private pass(session: Session, direction: Direction, data: Buffer): void {
    const totals = this.host.totals(direction);
    totals.received += data.length;
    session.datagrams[direction]++;
    const records = this.host.toxicsOf(direction);
    if (records.length === 0) return this.send(session, direction, data);
    let out: Datagram[] = [{ data, delayMs: 0 }];
    const rng = session.rng[direction];
    for (const r of records) {
      const type = r.type as UdpToxicType<unknown>;
      if (type.protocol !== 'udp') continue;
      out = out.flatMap((d) => (rng.next() < r.toxicity ? type.apply(r.attributes, d, rng) : [d]));
    }
    for (const d of out) {
      if (d.delayMs <= 0) this.send(session, direction, d.data);
      else {
        const timer = setTimeout(() => {
          session.timers.delete(timer);
          this.send(session, direction, d.data);
        }, d.delayMs);
        session.timers.add(timer);
      }
    }
  }

  private send(session: Session, direction: Direction, data: Buffer): void {
    this.host.totals(direction).sent += data.length;
    if (direction === 'downstream') return this.listener.send(data, session.client.port, session.client.address);
    if (session.closed) return;
    if (session.connected) session.socket.send(data);
    else if (session.pending.length < MAX_PENDING) session.pending.push(data);
  }

  private end(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session.key);
    for (const timer of session.timers) clearTimeout(timer);
    session.socket.close();
  }
}
