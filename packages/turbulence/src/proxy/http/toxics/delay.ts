/**
 * `http_delay`: delays a matching request before it is forwarded (`phase: request`), its response headers
 * (`phase: headers`) or its response body (`phase: body`, after the headers), by `delay` ± `jitter` ms.
 * Several delays on the same phase add up.
 */
import { z } from 'zod';
import { int } from '../../toxics/attributes.js';
import { httpToxic } from '../toxic.js';
import { matchShape, type MatchAttributes } from '../match.js';

/** Attributes of `http_delay`. */
export interface HttpDelayAttributes extends MatchAttributes {
  /** `request` (default), `headers` or `body`. */
  phase: 'request' | 'headers' | 'body';
  /** Milliseconds. */
  delay: number;
  /** Milliseconds of uniform jitter: delay + [-jitter, jitter). */
  jitter: number;
}

/** The `http_delay` toxic. */
export const httpDelay = httpToxic<HttpDelayAttributes>({
  type: 'http_delay',
  summary: 'delay matching requests, their response headers or their response body by delay ± jitter ms',
  attributes: z.object({
    phase: z
      .enum(['request', 'headers', 'body'], { error: 'phase must be request, headers or body' })
      .default('request'),
    delay: int('delay', 0),
    jitter: int('jitter', 0),
    ...matchShape,
  }),
  plan(a, plan, ctx) {
    const ms = Math.max(0, a.delay + (a.jitter > 0 ? ctx.rng().int(2 * a.jitter) - a.jitter : 0));
    if (a.phase === 'request') plan.requestDelayMs += ms;
    else if (a.phase === 'headers') plan.headersDelayMs += ms;
    else plan.bodyDelayMs += ms;
  },
});
