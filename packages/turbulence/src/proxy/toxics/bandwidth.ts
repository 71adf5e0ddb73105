/**
 * `bandwidth`: limits one direction to `rate` KB/s (1 KB = 1000 bytes). A chunk leaves when its last byte would
 * have been sent at that rate; chunks larger than 100 ms worth of bytes are split so data keeps flowing smoothly.
 * `rate: 0` holds all data until the toxic is updated or removed (Toxiproxy's "black hole" behaviour).
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';
import { TimedQueue } from './timed-queue.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface BandwidthAttributes {
  /** Kilobytes (1000 bytes) per second; 0 stalls the stream. */
  rate: number;
}

/** The `bandwidth` toxic. */
export const bandwidth: ToxicType<BandwidthAttributes> = {
  type: 'bandwidth',
  summary: 'limit throughput to rate KB/s (1 KB = 1000 bytes; 0 stalls the stream)',
  attributes: z.object({ rate: int('rate', 0) }),
  create(attributes, out) {
    let rate = attributes.rate;
    const queue = new TimedQueue(out);
    // Data held while rate is 0, released through the queue once a rate is set.
    const stalled: Buffer[] = [];
    let stalledEnd = false;
    let cursor = 0;
    const send = (data: Buffer, t: number): void => {
      const piece = rate * 100;
      cursor = Math.max(cursor, t);
      for (let at = 0; at < data.length; at += piece) {
        const part = data.subarray(at, at + piece);
        cursor += part.length / rate;
        queue.push(part, cursor);
      }
    };
    return {
      write(data, t) {
        if (rate > 0) send(data, t);
        else stalled.push(data);
      },
      end() {
        if (rate > 0 || stalled.length === 0) queue.end();
        else stalledEnd = true;
      },
      stop(flush) {
        if (flush) for (const data of stalled.splice(0)) queue.push(data, 0);
        if (flush && stalledEnd) queue.end();
        queue.stop(flush);
      },
      reconfigure(next) {
        rate = (next as BandwidthAttributes).rate;
        if (rate <= 0) return;
        const now = performance.now();
        for (const data of stalled.splice(0)) send(data, now);
        if (stalledEnd) queue.end();
      },
    };
  },
};
