/**
 * The forwarder to the real upstream resolver. UDP queries share one connected socket; each gets a random
 * transaction id of ours (from the system's CSPRNG, not the run's seed: these ids are not chaos choices, and
 * unpredictable ids keep spoofed answers out of the cache) that is mapped back to the client's on the way out. A truncated UDP answer is fetched again over TCP when the client asked over TCP, as a resolver would.
 */
import { randomFillSync } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostPort } from './address.js';
import { tcpExchange } from './tcp-frame.js';

/** Called once per forwarded query: with the answer (carrying the client's id again), or with an error. */
export type UpstreamCallback = (err: Error | undefined, reply: Buffer | undefined) => void;

interface Pending {
  clientId: number;
  done: UpstreamCallback;
  /** `performance.now()` after which the query has timed out. */
  deadline: number;
}

const TC_BIT = 0x0200;

/** Forwards raw queries to one upstream server. */
export class Upstream {
  private socket: Socket | undefined;
  private address: string | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Random ids, drawn 4096 at a time. */
  private readonly ids = new Uint16Array(4096);
  private idAt = 4096;
  /** One sweeping timer for every query in flight (a timer per query costs more than the forwarding). */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly server: HostPort,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves the upstream host name once and opens the UDP socket. */
  async open(): Promise<void> {
    this.address = isIP(this.server.host) ? this.server.host : (await lookup(this.server.host)).address;
    const socket = createSocket(isIP(this.address) === 6 ? 'udp6' : 'udp4');
    socket.on('message', (msg) => this.onMessage(msg));
    socket.on('error', () => undefined); // ICMP port unreachable and send errors: the query times out instead
    // A connected socket: the kernel skips the route lookup per send and drops datagrams from anyone else.
    await new Promise<void>((resolve) => socket.connect(this.server.port, this.address, resolve));
    this.socket = socket;
  }

  /**
   * Sends a raw query and resolves with the raw answer (carrying the client's id). With `overTcp`, a truncated
   * UDP answer is replaced by the answer over TCP.
   */
  async query(query: Buffer, overTcp: boolean): Promise<Buffer> {
    const reply = await new Promise<Buffer>((resolve, reject) =>
      this.send(Buffer.from(query), (err, answer) => (err ? reject(err) : resolve(answer as Buffer))),
    );
    if (!overTcp || (reply.readUInt16BE(2) & TC_BIT) === 0) return reply;
    return tcpExchange(this.address as string, this.server.port, query, this.timeoutMs);
  }

  /** Rejects everything in flight and closes the socket. */
  close(): void {
    for (const p of this.pending.values()) p.done(new Error('upstream closed'), undefined);
    this.pending.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.socket?.close();
    this.socket = undefined;
  }

  /**
   * Forwards a raw query over UDP without promises (the server's fast path). The query's id is replaced in place
   * by one of ours, so the buffer must not be used afterwards; `done` is called exactly once.
   */
  send(query: Buffer, done: UpstreamCallback): void {
    const socket = this.socket;
    if (!socket) return done(new Error('upstream is not open'), undefined);
    const id = this.freeId();
    if (id === undefined) return done(new Error('too many queries in flight to the upstream'), undefined);
    this.pending.set(id, { clientId: query.readUInt16BE(0), done, deadline: performance.now() + this.timeoutMs });
    query.writeUInt16BE(id, 0);
    socket.send(query); // a failed send surfaces as the timeout: the socket's errors are ignored on purpose
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(100, Math.max(10, this.timeoutMs / 4)));
  }

  private sweep(): void {
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(id);
      p.done(
        new Error(`no answer from upstream ${this.server.host}:${this.server.port} within ${this.timeoutMs} ms`),
        undefined,
      );
    }
    if (this.pending.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < 12) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p) return;
    this.pending.delete(msg.readUInt16BE(0));
    msg.writeUInt16BE(p.clientId, 0);
    p.done(undefined, msg);
  }

  private freeId(): number | undefined {
    if (this.pending.size >= 65536) return undefined;
    for (;;) {
      if (this.idAt === this.ids.length) {
        randomFillSync(this.ids);
        this.idAt = 0;
      }
      const id = this.ids[this.idAt++] as number;
      if (!this.pending.has(id)) return id;
    }
  }
}
