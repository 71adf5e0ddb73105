/**
 * @module Schemas of the `cgroup` family (pure, see `../kind-schema.ts`).
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';
import { processTargetSchema } from '../limit/schema.js';

/** Params of `cgroup.freeze` (none). */
export const freezeParams = z.object({}).strict();

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'cgroup.freeze',
    params: freezeParams,
    target: processTargetSchema,
    targetTypes: ['process'],
    example: { target: { lab: 'etcd', host: 'n1', service: 'etcd' }, duration: '10s' },
  },
];
