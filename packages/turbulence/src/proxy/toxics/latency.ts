/**
 * `latency`: delays every chunk by `latency` ± `jitter` ms, measured from when the chunk was received, so a
 * burst is not delayed cumulatively and throughput is preserved. Stacked latency toxics add up.
 */
import { z } from 'zod';
import type { Sink, StageContext, ToxicStage, ToxicType } from '../toxic.js';
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
  create: (attributes, out, ctx) => new LatencyStage(attributes, out, ctx),
};

/** One link's latency stage: a class (no closures) holding its queue, so an idle stage costs a few dozen bytes. */
class LatencyStage implements ToxicStage {
  private attrs: LatencyAttributes;
  private readonly queue: TimedQueue;
  private readonly ctx: StageContext;

  constructor(attributes: LatencyAttributes, out: Sink, ctx: StageContext) {
    this.attrs = attributes;
    this.queue = new TimedQueue(out);
    this.ctx = ctx;
  }
  write(data: Buffer, t: number): void {
    const { latency, jitter } = this.attrs;
    const delta = jitter > 0 ? this.ctx.rng().int(2 * jitter) - jitter : 0;
    this.queue.push(data, t + latency + delta);
  }
  end(): void {
    this.queue.end();
  }
  stop(flush: boolean): void {
    this.queue.stop(flush);
  }
  reconfigure(next: unknown): void {
    this.attrs = next as LatencyAttributes;
  }
}
