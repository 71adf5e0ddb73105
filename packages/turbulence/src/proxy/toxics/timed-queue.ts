/**
 * A FIFO of chunks, each released at its due time, with one timer for the whole queue. Latency, bandwidth and
 * slicer hold data through it, so holding N chunks costs N small records and one timer, never N timers.
 */
import type { Sink } from '../toxic.js';

interface Held {
  data: Buffer;
  due: number;
}

/** Releases chunks to `out` in order, each no earlier than its due time (`performance.now()` clock). */
export class TimedQueue {
  private readonly items: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ending = false;
  private readonly out: Sink;

  constructor(out: Sink) {
    this.out = out;
  }

  /** Number of held chunks. */
  get size(): number {
    return this.items.length;
  }

  /** Queues `data` for release at `due`; the chunk leaves with timestamp `due`. */
  push(data: Buffer, due: number): void {
    if (this.items.length === 0 && due <= performance.now()) {
      this.out.write(data, due);
      return;
    }
    this.items.push({ data, due });
    if (this.items.length === 1) this.arm();
  }

  /** Ends the output once every held chunk has left. */
  end(): void {
    this.ending = true;
    if (this.items.length === 0) this.out.end();
  }

  /** Stops the timer; with `flush`, releases everything now (and the end, if it arrived). */
  stop(flush: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!flush) {
      this.items.length = 0;
      return;
    }
    for (const held of this.items.splice(0)) this.out.write(held.data, held.due);
    if (this.ending) this.out.end();
  }

  private arm(): void {
    const head = this.items[0];
    if (!head) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, head.due - performance.now()));
  }

  private release(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.items.length > 0 && (this.items[0] as Held).due <= now + 0.5) {
      const held = this.items.shift() as Held;
      this.out.write(held.data, held.due);
    }
    if (this.items.length > 0) this.arm();
    else if (this.ending) this.out.end();
  }
}
