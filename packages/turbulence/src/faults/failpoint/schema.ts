/**
 * @module Schemas of the `failpoint` family (pure, see `../kind-schema.ts`). The action grammar is checked in full
 * by the driver (with the failpoints package's parser); validation checks the shape.
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** The target query of `failpoint.*` kinds. */
export const failpointQuerySchema = z
  .object({ address: oneOrMany.optional(), announce: oneOrMany.optional(), token: z.string().min(1).optional() })
  .strict()
  .refine((q) => q.address !== undefined || q.announce !== undefined, {
    message: 'name the process: "announce" (its announce file) or "address" (http://host:port or unix:/path)',
  });

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
