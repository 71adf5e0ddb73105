/**
 * @module Schemas of the `time` family (pure, see `../kind-schema.ts`).
 */
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import type { KindSchema } from '../kind-schema.js';
import { clockQuerySchema, labServiceQuerySchema, processQuerySchema } from '../../targets/queries.js';

/** Params of `time.skew`. */
export const skewParams = z
  .object({
    /** `+1h`, `-30s`, `90m`, or a number of seconds (negative: the clock goes back). */
    offset: z.union([z.number(), z.string()]).transform((v, ctx) => {
      if (typeof v === 'number') return Math.round(v);
      const m = /^([+-]?)(.+)$/.exec(v.trim());
      try {
        return (m?.[1] === '-' ? -1 : 1) * Math.round(parseDuration(m?.[2] ?? '') / 1000);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an offset like +1h or -30s` });
        return z.NEVER;
      }
    }),
  })
  .strict();

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'time.skew',
    params: skewParams,
    // A lab service or process started under libfaketime, or the clock file itself.
    target: z.union([labServiceQuerySchema, processQuerySchema, clockQuerySchema]),
    targetTypes: ['process', 'clock'],
    example: { target: { lab: 'demo', host: 'app', service: 'api' }, params: { offset: '+1h' }, duration: '30s' },
  },
];
