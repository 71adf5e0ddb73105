/**
 * `slicer`: cuts every chunk into pieces of about `average_size` ± `size_variation` bytes, sent `delay` µs apart.
 * Toxiproxy crashes on `average_size: 0` or `size_variation >= average_size`; here those are a 400.
 */
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';
import { TimedQueue } from './timed-queue.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface SlicerAttributes {
  /** Average piece size in bytes (> 0). */
  average_size: number;
  /** Variation of the piece size in bytes (< average_size). */
  size_variation: number;
  /** Microseconds between pieces. */
  delay: number;
}

const schema = z
  .object({ average_size: int('average_size', 1), size_variation: int('size_variation', 0), delay: int('delay', 0) })
  .refine((a) => a.size_variation < a.average_size, {
    error: 'size_variation must be smaller than average_size',
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
    const mid = start + Math.floor((end - start) / 2) + offset;
    stack.push([mid, end], [start, mid]);
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
    const queue = new TimedQueue(out);
    const points: number[] = [];
    let cursor = 0;
    return {
      write(data, t) {
        points.length = 0;
        slicePoints(data.length, attributes, attributes.size_variation > 0 ? ctx.rng() : undefined, points);
        cursor = Math.max(cursor, t);
        for (let i = 0; i < points.length; i += 2) {
          const piece = data.subarray(points[i], points[i + 1]);
          if (attributes.delay > 0 && i > 0) cursor += attributes.delay / 1000;
          queue.push(piece, cursor);
        }
      },
      end: () => queue.end(),
      stop: (flush) => queue.stop(flush),
    };
  },
};
