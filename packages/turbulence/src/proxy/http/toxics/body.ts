/**
 * `http_body`: replaces the body of matching responses (stream `downstream`, the default) or requests (stream
 * `upstream`) with `body`, or truncates it to `bytes` bytes. A truncated response keeps its headers and the
 * connection is closed after `bytes` bytes (the client sees a short body); a truncated request is forwarded with
 * the shorter body and a matching Content-Length.
 */
import { z } from 'zod';
import { httpToxic } from '../toxic.js';
import { matchShape, type MatchAttributes } from '../match.js';

/** Attributes of `http_body`. */
export interface HttpBodyAttributes extends MatchAttributes {
  action: 'replace' | 'truncate';
  /** The new body (replace). */
  body: string;
  /** Bytes kept (truncate). */
  bytes: number;
}

/** The `http_body` toxic. */
export const httpBody = httpToxic<HttpBodyAttributes>({
  type: 'http_body',
  summary: 'replace the body of matching responses (downstream) or requests (upstream), or truncate it',
  attributes: z.object({
    action: z.enum(['replace', 'truncate'], { error: 'action must be replace or truncate' }).default('replace'),
    body: z.union([z.string(), z.number()], { error: 'body must be a string' }).transform(String).default(''),
    bytes: z
      .number({ error: 'bytes must be an integer >= 0' })
      .int({ error: 'bytes must be an integer >= 0' })
      .min(0, { error: 'bytes must be an integer >= 0' })
      .default(0),
    ...matchShape,
  }),
  plan(a, plan, ctx) {
    const edit =
      a.action === 'replace'
        ? { action: 'replace' as const, body: Buffer.from(a.body) }
        : { action: 'truncate' as const, bytes: a.bytes };
    if (ctx.direction === 'upstream') plan.requestBody = edit;
    else plan.responseBody = edit;
  },
});
