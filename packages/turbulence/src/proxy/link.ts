/**
 * A link is one direction of one proxied connection: it reads the source socket, runs every chunk through the
 * stages of the toxics selected for this connection, and writes the result to the destination socket.
 *
 * ```
 *   source ──'data'──▶ first stage ─port─▶ stage ─port─▶ … ─port─▶ sink ──write──▶ destination
 *      ▲                                                              │
 *      └──────── pause when the destination is full or too much is held in stages; resume on drain ──┘
 * ```
 *
 * With no toxic selected the 'data' handler writes straight to the destination (the plain-pipe fast path).
 * Toxic changes rewire the ports synchronously: nothing here ever waits for data to drain, so the control plane
 * cannot hang on a slow or dead peer.
 */
import type { Socket } from 'node:net';
import { deriveSeed, Rng } from '../core/rng.js';
import { isSelected, unitDraw } from './random.js';
import type { Direction, Sink, StageContext, ToxicStage } from './toxic.js';
import type { ToxicRecord } from './toxic-record.js';

/** Bytes held inside stages above which the source is paused (latency keeps ~100 ms of a fast stream). */
const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = HIGH_WATER / 2;

/** Byte counters of one direction; the proxy keeps running totals, the link its own. */
export interface DirectionCounters {
  received: number;
  sent: number;
}

/** What a link needs from its connection. */
export interface LinkOwner {
  /** Closes both sockets gracefully. */
  close(): void;
  /** Resets both sockets (RST). */
  reset(): void;
}

/**
 * One toxic on one link: its stage, the stage's output port (whose target the link rewires) and the stage's
 * context, all in one object so an idle stage costs as little memory as possible.
 */
class Slot implements Sink, StageContext {
  record: ToxicRecord;
  version: number;
  stage!: ToxicStage;
  /** Where the stage's output goes: the next slot's stage, or the link itself (the sink). */
  to: Sink;
  private readonly link: Link;
  private generator: Rng | undefined;

  constructor(link: Link, record: ToxicRecord) {
    this.link = link;
    this.record = record;
    this.version = record.version;
    this.to = link;
  }
  write(data: Buffer, t: number): void {
    this.to.write(data, t);
  }
  end(): void {
    this.to.end();
  }
  get direction(): Direction {
    return this.link.direction;
  }
  rng(): Rng {
    return (this.generator ??= new Rng(deriveSeed(this.link.seed, this.record.name)));
  }
  close(): void {
    this.link.owner.close();
  }
  reset(): void {
    this.link.owner.reset();
  }
  dropped(bytes: number): void {
    this.link.settle(bytes);
  }
}

/** One direction of one connection. */
export class Link implements Sink {
  readonly direction: Direction;
  /** Seed of every random decision on this link (toxicity draws, jitter, loss). */
  readonly seed: number;
  readonly owner: LinkOwner;
  /** This link's own byte counts. */
  readonly bytes: DirectionCounters = { received: 0, sent: 0 };
  private readonly source: Socket;
  private readonly dest: Socket;
  private readonly totals: DirectionCounters;
  private entries: Slot[] = [];
  private first: ToxicStage | undefined;
  /** Whether some stage of the chain reads chunk timestamps (otherwise `performance.now()` is skipped). */
  private timed = false;
  private held = 0;
  private destFull = false;

  constructor(
    owner: LinkOwner,
    direction: Direction,
    seed: number,
    source: Socket,
    dest: Socket,
    totals: DirectionCounters,
  ) {
    this.owner = owner;
    this.direction = direction;
    this.seed = deriveSeed(seed, direction);
    this.source = source;
    this.dest = dest;
    this.totals = totals;
    // 'data' keeps its own closure: a shared listener looking its link up costs 1.5× the CPU per MB (measured,
    // bench/RESULTS.md, issue 24). The rare 'end' and 'drain' share one function each and find their link in a
    // WeakMap (less memory per idle connection; not a property on the socket, which changes its hidden class).
    readers.set(source, this);
    writers.set(dest, this);
    source.on('data', this.onData);
    source.on('end', onEnd);
    dest.on('drain', onDrain);
  }

  /** The connection's draw for a toxic: it applies when the draw is below its toxicity. */
  draw(record: ToxicRecord): number {
    return unitDraw(this.seed, record.name);
  }

  /** Toxics currently running on this link, in chain order. */
  get active(): readonly ToxicRecord[] {
    return this.entries.map((e) => e.record);
  }

  /**
   * Makes the chain match `records` (this direction's toxics, in order): stops removed stages (flushing what they
   * hold), reconfigures or replaces updated ones, creates new ones, rewires. Synchronous.
   */
  sync(records: readonly ToxicRecord[]): void {
    const wanted = records.filter((r) => isSelected(r.toxicity, this.draw(r)));
    const kept = new Map<ToxicRecord, Slot>();
    for (const entry of this.entries) {
      if (!wanted.includes(entry.record)) entry.stage.stop(true);
      else if (entry.version === entry.record.version) kept.set(entry.record, entry);
      else if (entry.stage.reconfigure) {
        entry.stage.reconfigure(entry.record.attributes);
        entry.version = entry.record.version;
        kept.set(entry.record, entry);
      } else entry.stage.stop(true);
    }
    this.entries = wanted.map((record) => kept.get(record) ?? this.create(record));
    for (let i = 0; i < this.entries.length; i++) {
      (this.entries[i] as Slot).to = this.entries[i + 1]?.stage ?? this;
    }
    this.first = this.entries[0]?.stage;
    this.timed = this.entries.some((entry) => entry.record.type.timeless !== true);
  }

  /** Stops every stage without flushing (the connection is gone). */
  dispose(): void {
    for (const entry of this.entries) entry.stage.stop(false);
    this.entries = [];
    this.first = undefined;
    this.timed = false;
  }

  /** The sink at the end of the chain: writes to the destination. */
  write(data: Buffer): void {
    this.settle(data.length);
    this.bytes.sent += data.length;
    this.totals.sent += data.length;
    if (this.dest.destroyed) return;
    if (!this.dest.write(data)) this.blockOnDest();
  }

  /** End of the chain: half-closes the destination once everything before it has been written. */
  end(): void {
    if (!this.dest.destroyed) this.dest.end();
  }

  /** Marks bytes as having left the stages (written or dropped); resumes the source when room came back. */
  settle(bytes: number): void {
    this.held -= bytes;
    if (this.held <= LOW_WATER && !this.destFull && this.source.isPaused()) this.source.resume();
  }

  private create(record: ToxicRecord): Slot {
    const slot = new Slot(this, record);
    slot.stage = record.type.create(record.attributes, slot, slot);
    return slot;
  }

  private blockOnDest(): void {
    this.destFull = true;
    this.source.pause();
  }

  private readonly onData = (data: Buffer): void => {
    this.bytes.received += data.length;
    this.totals.received += data.length;
    const first = this.first;
    if (first === undefined) {
      this.bytes.sent += data.length;
      this.totals.sent += data.length;
      if (!this.dest.write(data)) this.blockOnDest();
      return;
    }
    this.held += data.length;
    first.write(data, this.timed ? performance.now() : 0);
    if (this.held > HIGH_WATER) this.source.pause();
  };

  /** The source ended. */
  sourceEnded(): void {
    if (this.first) this.first.end();
    else this.end();
  }

  /** The destination drained. */
  drained(): void {
    this.destFull = false;
    if (this.held <= LOW_WATER && this.source.isPaused()) this.source.resume();
  }
}

/** The link that reads each socket, and the link that writes to it. */
const readers = new WeakMap<Socket, Link>();
const writers = new WeakMap<Socket, Link>();

function onEnd(this: Socket): void {
  readers.get(this)?.sourceEnded();
}
function onDrain(this: Socket): void {
  writers.get(this)?.drained();
}
