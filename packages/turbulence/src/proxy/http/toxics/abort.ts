/**
 * `http_abort`: resets the client connection (TCP RST) for matching requests, either before the request is
 * forwarded (`when: before`, the upstream never sees it) or in the middle of the response (`when: mid`: after
 * the response headers and `bytes` body bytes).
 */
import { z } from 'zod';
import { httpToxic } from '../toxic.js';
import { matchShape, type MatchAttributes } from '../match.js';

/** Attributes of `http_abort`. */
export interface HttpAbortAttributes extends MatchAttributes {
  /** `before` (default) or `mid`. */
  when: 'before' | 'mid';
  /** With `when: mid`: body bytes sent before the reset (default 0: right after the headers). */
  bytes: number;
}

/** The `http_abort` toxic. */
export const httpAbort = httpToxic<HttpAbortAttributes>({
  type: 'http_abort',
  summary: 'reset the connection before forwarding a matching request, or in the middle of its response',
  attributes: z.object({
    when: z.enum(['before', 'mid'], { error: 'when must be before or mid' }).default('before'),
    bytes: z
      .number({ error: 'bytes must be an integer >= 0' })
      .int({ error: 'bytes must be an integer >= 0' })
      .min(0, { error: 'bytes must be an integer >= 0' })
      .default(0),
    ...matchShape,
  }),
  plan(a, plan) {
    if (a.when === 'before') plan.abortBefore = true;
    else plan.abortAfter = Math.min(plan.abortAfter ?? Infinity, a.bytes);
  },
});
