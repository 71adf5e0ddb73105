/**
 * `latency`: delays every chunk by `latency` ± `jitter` ms, measured from when the chunk was received, so a
 * burst is not delayed cumulatively and throughput is preserved. Stacked latency toxics add up.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';
import { TimedQueue } from './timed-queue.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface LatencyAttributes {
  /** Milliseconds added to every chunk. */
  latency: number;
  /** Milliseconds of uniform jitter: each chunk gets latency + [-jitter, jitter). */
  jitter: number;
}

/** The `latency` toxic. */
export const latency: ToxicType<LatencyAttributes> = {
  type: 'latency',
  summary: 'delay every chunk by latency ± jitter milliseconds',
  attributes: z.object({ latency: int('latency', 0), jitter: int('jitter', 0) }),
  create(attributes, out, ctx) {
    let attrs = attributes;
    const queue = new TimedQueue(out);
    return {
      write(data, t) {
        const jitter = attrs.jitter > 0 ? ctx.rng().int(2 * attrs.jitter) - attrs.jitter : 0;
        queue.push(data, t + attrs.latency + jitter);
      },
      end: () => queue.end(),
      stop: (flush) => queue.stop(flush),
      reconfigure(next) {
        attrs = next as LatencyAttributes;
      },
    };
  },
};
