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
 * With no toxic selected the read handler writes straight to the destination (the plain-pipe fast path).
 *
 * Reads go into buffers the link reuses (see {@link readIntoOwnBuffer}) instead of a new 64 KiB buffer per read: the
 * per-read allocation is what makes V8 collect garbage on a bulk stream, and each collection costs in proportion to
 * the whole heap (bench/RESULTS.md, issue 24). A link that moves bulk (reads of 16 KiB or more, no toxic that holds
 * chunks) reads into a buffer of its own and writes views of it: a view the destination socket could not write at
 * once keeps its buffer lent to the socket until the socket's queue is empty again, and the next read goes into
 * another buffer. Every other link (idle, small reads, or a toxic that holds chunks) reads into one buffer shared by
 * the whole process and passes on a copy sized to the data, as Node's own reads are: an idle connection costs no
 * read buffer.
 * Toxic changes rewire the ports synchronously: nothing here ever waits for data to drain, so the control plane
 * cannot hang on a slow or dead peer.
 */
import { Socket } from 'node:net';
import { deriveSeed, Rng } from '../core/rng.js';
import { isSelected, unitDraw } from './random.js';
import type { Direction, Sink, StageContext, ToxicStage } from './toxic.js';
import type { ToxicRecord } from './toxic-record.js';

/** Bytes held inside stages above which the source is paused (latency keeps ~100 ms of a fast stream). */
const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = HIGH_WATER / 2;
/** Size of a link's read buffer: what Node allocates per read by default. */
const READ_SIZE = 64 * 1024;
/** Free read buffers a link keeps for when the destination holds its current one (more are left to the GC). */
const SPARE_BUFFERS = 2;
/** A read at least this large means bulk: the link's next reads go into a buffer of its own. */
const BULK_READ = 16 * 1024;
/**
 * The read buffer of every link not moving bulk. Reads are delivered one at a time, each handled synchronously, and
 * what is read into it is always copied before the read returns, so one buffer serves them all.
 */
let shared: Buffer | undefined;

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
  /** Whether some stage of the chain may hold a chunk past its `write` call (then chunks are copied). */
  private holding = false;
  /** The buffer the next read goes into (`shared`, or `own`), when the link reads into buffers it reuses. */
  private buffer: Buffer | undefined;
  /** This link's own read buffer while it moves bulk. */
  private own: Buffer | undefined;
  /** Buffers still referenced by writes the destination has not finished (created on first use: idle memory). */
  private lent: Buffer[] | undefined;
  private spare: Buffer[] | undefined;

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
    const buffer = (shared ??= Buffer.allocUnsafeSlow(READ_SIZE));
    if (readIntoOwnBuffer(source, dest, buffer, this.onRead, this.nextBuffer)) this.buffer = buffer;
    else source.on('data', this.onData);
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
    this.holding = this.timed;
  }

  /** Stops every stage without flushing (the connection is gone). */
  dispose(): void {
    for (const entry of this.entries) entry.stage.stop(false);
    this.entries = [];
    this.first = undefined;
    this.timed = false;
    this.holding = false;
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

  /** A read into a reused buffer (`nread` bytes at its start). */
  private readonly onRead = (nread: number, buffer: Buffer): void => {
    if (buffer !== this.own || this.holding) {
      // The shared buffer, or a stage may keep the chunk: pass on a copy sized to the data, as Node's reads are
      // (small ones from Node's buffer pool: a new ArrayBuffer per small read cost 5 % per new connection).
      const copy = Buffer.allocUnsafe(nread);
      buffer.copy(copy, 0, 0, nread);
      this.onData(copy);
    } else {
      this.onData(buffer.subarray(0, nread));
      if (this.dest.writableLength === 0) {
        // Every write finished: the buffers lent to the destination are free again.
        if (this.lent) this.release();
      } else {
        // The destination still references this buffer: the next read goes elsewhere.
        (this.lent ??= []).push(buffer);
        this.own = undefined;
      }
    }
    if (nread >= BULK_READ && !this.holding) {
      this.buffer = this.own ??= this.spare?.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
    } else {
      this.buffer = shared;
      this.own = undefined;
      this.spare = undefined;
    }
  };

  /** Node asks for the buffer of the next read after each read. */
  private readonly nextBuffer = (): Buffer | undefined => this.buffer;

  private release(): void {
    if (this.own && this.lent) {
      const spare = (this.spare ??= []);
      for (const buffer of this.lent) if (spare.length < SPARE_BUFFERS) spare.push(buffer);
    }
    this.lent = undefined;
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
    if (this.lent && this.dest.writableLength === 0) this.release();
    if (this.held <= LOW_WATER && this.source.isPaused()) this.source.resume();
  }
}

/** Node's private slots of a socket's `onread` option (see {@link readIntoOwnBuffer}), found once. */
let onreadSlots: { buffer: symbol; callback: symbol; generator: symbol } | null | undefined;

interface ReadHandle {
  reading?: boolean;
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/**
 * Makes `source` read into `buffer` and call `onRead(nread, buffer)` instead of emitting 'data' with a new buffer
 * per read; after each read Node takes the buffer for the next one from `next()`. This is what `net.Socket`'s
 * documented `onread` option does, but Node 20 offers that option only to sockets it creates itself, not to the
 * ones a server accepts, so this sets the same private slots the option sets (the own symbol properties
 * `kBuffer`/`kBufferCb`/`kBufferGen` every `net.Socket` has since Node 12) and tells the handle, which has not
 * started reading yet, to use the buffer. Pause, resume, 'end', 'error' and 'close' behave as with the option.
 *
 * Returns false, and changes nothing, when that is not possible (a TLS socket, either side; a socket already
 * reading; a Node without these slots): the caller then listens to 'data' as before.
 */
function readIntoOwnBuffer(
  source: Socket,
  dest: Socket,
  buffer: Buffer,
  onRead: (nread: number, buffer: Buffer) => void,
  next: () => Buffer | undefined,
): boolean {
  if (source.constructor !== Socket || dest.constructor !== Socket) return false;
  const handle = (source as unknown as { _handle?: ReadHandle | null })._handle;
  if (!handle || handle.reading || typeof handle.useUserBuffer !== 'function' || source.readableLength > 0) {
    return false;
  }
  const slots = (onreadSlots ??= findOnreadSlots(source));
  if (!slots) return false;
  const own = source as unknown as Record<symbol, unknown>;
  if (own[slots.buffer] !== null) return false;
  own[slots.buffer] = buffer;
  own[slots.callback] = onRead;
  own[slots.generator] = next;
  handle.useUserBuffer(buffer);
  return true;
}

function findOnreadSlots(socket: Socket): { buffer: symbol; callback: symbol; generator: symbol } | null {
  const byName = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const generator = byName.get('kBufferGen');
  return buffer && callback && generator ? { buffer, callback, generator } : null;
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
