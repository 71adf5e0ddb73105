/**
 * @module Schemas of the `proxy` family (pure, see `../kind-schema.ts`): proxies on a Toxiproxy-compatible server.
 */
import { z } from 'zod';
import { DEFAULT_PROXY_URL, proxyQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';

export { DEFAULT_PROXY_URL, proxyQuerySchema };

/** Params of `proxy.toxic`. */
export const toxicParams = z
  .object({
    /** Toxic type: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, ... */
    type: z.string().min(1),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    attributes: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
    /** Toxic name; default `turbulence_<type>_<stream>`. */
    name: z.string().min(1).optional(),
  })
  .strict();

/** Params of `proxy.disable` (none). */
export const disableParams = z.object({}).strict();

const base = { target: proxyQuerySchema, targetTypes: ['proxy'], targetOptional: true } as const;

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  { kind: 'proxy.disable', params: disableParams, ...base, example: { target: { proxy: 'db' }, duration: '10s' } },
  {
    kind: 'proxy.toxic',
    params: toxicParams,
    ...base,
    example: { target: { proxy: 'db' }, params: { type: 'latency', attributes: { latency: 500 } }, duration: '30s' },
  },
];
