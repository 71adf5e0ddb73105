/**
 * @module Schemas of the `proxy` family (pure, see `../kind-schema.ts`): proxies on a Toxiproxy-compatible server.
 */
import { z } from 'zod';
import { DEFAULT_PROXY_URL, proxyQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';
import { builtinToxics } from '../../proxy/toxics/index.js';

export { DEFAULT_PROXY_URL, proxyQuerySchema };

/**
 * The built-in toxics by type (pure modules: their names and zod attribute schemas): their attributes are checked
 * when the experiment is validated, not only at inject. Other types pass (a real Toxiproxy may have its own).
 */
const builtinByType = new Map(builtinToxics.map((t) => [t.type, t]));

/** Params of `proxy.toxic`. */
export const toxicParams = z
  .object({
    /**
     * Toxic type: on tcp proxies latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, ...;
     * on http proxies http_status, http_abort, http_delay, http_header, http_body, and for gRPC grpc_status,
     * grpc_delay; on TLS-terminating proxies
     * tls_expired, tls_wrong_host, ...; on udp proxies udp_drop, udp_delay, ... (see docs/proxy.md).
     */
    type: z
      .string()
      .min(1)
      .meta({ examples: builtinToxics.map((t) => t.type), description: 'toxic type (docs/proxy.md lists each)' }),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    /** The toxic's attributes; `headers` of http_status may be an object of strings. */
    attributes: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.string())]))
      .default({}),
    /** Toxic name; default `turbulence_<type>_<stream>`. */
    name: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const type = builtinByType.get(p.type);
    if (!type) return;
    const parsed = type.attributes.safeParse(p.attributes);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: ['attributes', ...issue.path.map(String)], message: issue.message });
    }
  });

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
