/**
 * `slicer`: cuts every chunk into pieces of about `average_size` ± `size_variation` bytes (never more than
 * `average_size + size_variation`), and waits `delay` µs after every piece, as Toxiproxy does. Pieces leave one
 * per timer turn, so a late timer never lets overdue pieces out together as one larger write. Toxiproxy crashes on
 * `average_size: 0` or `size_variation > average_size`; here those are a 400 (`size_variation == average_size`
 * works in both).
 */
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { Sink, ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface SlicerAttributes {
  /** Average piece size in bytes (> 0). */
  average_size: number;
  /** Variation of the piece size in bytes (<= average_size). */
  size_variation: number;
  /** Microseconds between pieces. */
  delay: number;
}

const schema = z
  .object({ average_size: int('average_size', 1), size_variation: int('size_variation', 0), delay: int('delay', 0) })
  .refine((a) => a.size_variation <= a.average_size, {
    error: 'size_variation must not exceed average_size',
    path: ['size_variation'],
  });

/** Appends to `out` the [start, end) offsets of the pieces of a `length`-byte chunk (Toxiproxy's midpoint cut). */
export function slicePoints(length: number, a: SlicerAttributes, rng: Rng | undefined, out: number[]): void {
  const stack: [number, number][] = [[0, length]];
  while (stack.length > 0) {
    const [start, end] = stack.pop() as [number, number];
    if (end - start - a.average_size <= a.size_variation) {
      out.push(start, end);
      continue;
    }
    const offset = a.size_variation > 0 && rng ? rng.int(2 * a.size_variation) - a.size_variation : 0;
    // With size_variation == average_size the cut can land on an edge; keep both halves non-empty.
    const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
    stack.push([mid, end], [start, mid]);
  }
}

/**
 * Sends pieces in order with a gap of `gapMs` after each one (measured from when it was actually written), one
 * piece per timer turn; with no gap, pieces are written at once.
 */
class Pacer {
  private readonly items: { data: Buffer; t: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private ending = false;
  private ended = false;

  constructor(
    private readonly out: Sink,
    private readonly gapMs: number,
  ) {}

  push(data: Buffer, t: number): void {
    this.items.push({ data, t });
    if (!this.timer) this.pump();
  }

  end(): void {
    this.ending = true;
    if (!this.timer) this.pump();
  }

  /** Stops pacing; with `flush`, the unsent rest leaves as one piece (Toxiproxy's interrupt), then the end. */
  stop(flush: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rest = this.items.splice(0);
    if (!flush) return;
    if (rest.length > 0) this.out.write(Buffer.concat(rest.map((r) => r.data)), (rest[0] as { t: number }).t);
    this.finish();
  }

  private pump(): void {
    this.timer = undefined;
    while (this.items.length > 0) {
      const now = performance.now();
      if (now < this.next) {
        this.timer = setTimeout(() => this.pump(), this.next - now);
        return;
      }
      const piece = this.items.shift() as { data: Buffer; t: number };
      this.out.write(piece.data, piece.t);
      if (this.gapMs > 0) this.next = performance.now() + this.gapMs;
    }
    this.finish();
  }

  private finish(): void {
    if (this.ending && !this.ended) {
      this.ended = true;
      this.out.end();
    }
  }
}

/** The `slicer` toxic. */
export const slicer: ToxicType<SlicerAttributes> = {
  type: 'slicer',
  summary: 'slice data into pieces of average_size ± size_variation bytes, delay µs apart',
  attributes: z.preprocess(
    (v) => (v && typeof v === 'object' && !('average_size' in v) ? { ...v, average_size: 0 } : v),
    schema,
  ),
  create(attributes, out, ctx) {
    const pacer = new Pacer(out, attributes.delay / 1000);
    const points: number[] = [];
    return {
      write(data, t) {
        points.length = 0;
        slicePoints(data.length, attributes, attributes.size_variation > 0 ? ctx.rng() : undefined, points);
        for (let i = 0; i < points.length; i += 2) pacer.push(data.subarray(points[i], points[i + 1]), t);
      },
      end: () => pacer.end(),
      stop: (flush) => pacer.stop(flush),
    };
  },
};
