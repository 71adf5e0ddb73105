/** `http_status`: answers matching requests with `status`, `headers` and `body` instead of forwarding them. */
import { z } from 'zod';
import { httpToxic } from '../toxic.js';
import { matchShape, type MatchAttributes } from '../match.js';

/** Attributes of `http_status`. */
export interface HttpStatusAttributes extends MatchAttributes {
  /** The status code, 100-599 (default 503). */
  status: number;
  /** The response body (default empty). */
  body: string;
  /** Response headers: an object, or `"Name: value"` lines (one per line) as the CLI passes them. */
  headers: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `headers`: an object of strings, or "Name: value" lines; names must be header tokens. */
export const headersAttribute = z
  .union([z.record(z.string(), z.string()), z.string()], {
    error: 'headers must be an object {"Name": "value"} or "Name: value" lines',
  })
  .transform((value, ctx) => {
    const out: Record<string, string> = {};
    const entries =
      typeof value === 'string'
        ? value
            .split(/\r?\n/)
            .filter((line) => line.trim() !== '')
            .map((line) => {
              const at = line.indexOf(':');
              return at < 0 ? [line.trim(), undefined] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
            })
        : Object.entries(value);
    for (const [name, v] of entries) {
      if (!TOKEN.test(name ?? '') || v === undefined || /[\r\n]/.test(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `headers: ${JSON.stringify(name)} is not a valid "Name: value" header (fix: e.g. "Retry-After: 5")`,
        });
        return z.NEVER;
      }
      out[name as string] = v;
    }
    return out;
  })
  .default({});

/** The `http_status` toxic. */
export const httpStatus = httpToxic<HttpStatusAttributes>({
  type: 'http_status',
  summary: 'answer matching requests with a status, headers and body instead of forwarding them',
  attributes: z.object({
    status: z
      .number({ error: 'status must be an integer from 100 to 599' })
      .int({ error: 'status must be an integer from 100 to 599' })
      .min(100, { error: 'status must be an integer from 100 to 599 (e.g. 503)' })
      .max(599, { error: 'status must be an integer from 100 to 599 (e.g. 503)' })
      .default(503),
    body: z.union([z.string(), z.number()], { error: 'body must be a string' }).transform(String).default(''),
    headers: headersAttribute,
    ...matchShape,
  }),
  plan(a, plan) {
    plan.answer ??= { status: a.status, headers: a.headers, body: a.body };
  },
});
