/**
 * `http_header`: edits a header of matching requests (stream `upstream`) or of their responses (stream
 * `downstream`, the default): `action: set` (add or replace), `add` (append a value), `remove`, `rewrite`
 * (replace the value only where the header is present).
 */
import { z } from 'zod';
import { httpToxic } from '../toxic.js';
import { matchShape, type MatchAttributes } from '../match.js';

/** Attributes of `http_header`. */
export interface HttpHeaderAttributes extends MatchAttributes {
  action: 'set' | 'add' | 'remove' | 'rewrite';
  /** The header to edit. */
  name: string;
  /** The new value (set, add, rewrite). */
  value: string;
}

/** Hop-by-hop and framing headers a toxic may not edit (the proxy owns them). */
const FRAMING = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** The `http_header` toxic. */
export const httpHeader = httpToxic<HttpHeaderAttributes>({
  type: 'http_header',
  summary: 'set, add, remove or rewrite a request header (upstream) or response header (downstream)',
  attributes: z
    .object({
      action: z
        .enum(['set', 'add', 'remove', 'rewrite'], { error: 'action must be set, add, remove or rewrite' })
        .default('set'),
      name: z
        .string({ error: 'name must be a header name' })
        .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'name must be a header name such as X-Request-Id' })
        .refine((n) => !FRAMING.has(n.toLowerCase()), {
          error: 'name must not be a framing header (connection, transfer-encoding, ...): the proxy owns those',
        }),
      value: z
        .union([z.string(), z.number()], { error: 'value must be a string' })
        .transform(String)
        .refine((v) => !/[\r\n]/.test(v), { error: 'value must not contain a line break' })
        .default(''),
      ...matchShape,
    })
    .strip(),
  plan(a, plan, ctx) {
    const edits = ctx.direction === 'upstream' ? plan.requestHeaders : plan.responseHeaders;
    const name = a.name.toLowerCase();
    if (a.action === 'remove') edits.push({ action: 'remove', name, value: '', onlyIfPresent: false });
    else if (a.action === 'add') edits.push({ action: 'add', name, value: a.value, onlyIfPresent: false });
    else edits.push({ action: 'set', name, value: a.value, onlyIfPresent: a.action === 'rewrite' });
  },
});
