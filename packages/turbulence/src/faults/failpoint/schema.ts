/**
 * @module Schemas of the `failpoint` family (pure, see `../kind-schema.ts`). The action grammar is checked in full
 * by the driver (with the failpoints package's parser); validation checks the shape.
 */
import { z } from 'zod';
import { failpointQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';

export { failpointQuerySchema };

/**
 * Params of `failpoint.set` with `actions` checked by the given schema: a failpoint name and actions, or a rule.
 *
 * @example
 * const params = failpointSetParamsOf(z.string().min(1));
 */
export function failpointSetParamsOf<A extends z.ZodType<string>>(actions: A) {
  const rule = z
    .object({
      name: z.string().min(1),
      target: z.string().min(1),
      when: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      action: actions,
    })
    .strict();
  return z.union([z.object({ name: z.string().min(1), actions }).strict(), z.object({ rule }).strict()]);
}

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'failpoint.set',
    params: failpointSetParamsOf(z.string().min(1)),
    target: failpointQuerySchema,
    targetTypes: ['failpoint'],
    example: {
      target: { announce: '/run/app/failpoints.json' },
      params: { name: 'db.query', actions: '10%return(timeout)' },
    },
  },
];
