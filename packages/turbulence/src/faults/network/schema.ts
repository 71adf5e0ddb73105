/**
 * @module Schemas of the `network` family (pure, see `../kind-schema.ts`): the target query shared by every
 * `network.*` kind (and the stress kinds) and each kind's params.
 */
import { z } from 'zod';
import { networkQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';
import { latencyParams } from './latency-types.js';
import { matchParam } from './match.js';
import { directionParam, peersParam } from './params.js';

export { networkQuerySchema };

/** Params of `network.bandwidth`. */
export const bandwidthParams = z
  .object({
    rate: z.string().refine((r) => /^\d+(\.\d+)?\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/i.test(r.trim()), {
      message: 'a rate like 500kbit, 8mbit or 1mbps',
    }),
    direction: directionParam.default('egress'),
    peers: peersParam,
    /** Only packets of this protocol / these addresses / ports (see `match.ts`). */
    match: matchParam,
    device: z.string().optional(),
  })
  .strict();

/** Params of `network.blackhole`. */
export const blackholeParams = z
  .object({
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional(),
    protocol: z.enum(['tcp', 'udp', 'both']).default('both'),
    peers: peersParam,
    direction: directionParam,
  })
  .strict()
  .refine((p) => p.ports !== undefined || p.peers !== undefined, { message: 'give ports, peers or both' });

/** Params of `network.dns-block`. */
export const dnsBlockParams = z
  .object({
    /** DNS servers to block (addresses/CIDRs or lab hosts); absent = all. */
    peers: z.array(z.string().min(1)).min(1).optional(),
    port: z.number().int().min(1).max(65535).default(53),
  })
  .strict();

/** Params of `network.loss`. */
export const lossParams = z
  .object({ percent: z.number().min(0).max(100), peers: peersParam, direction: directionParam, match: matchParam })
  .strict();

/**
 * Params of `network.partition`. `connections: new` drops only the packets that open a connection (conntrack state
 * new), so replies to connections the other side opened still flow: with `direction: egress` the target cannot
 * open connections to its peers while they can still open connections to it (a one-way partition that TCP clients
 * see as one-way; dropping every packet one way breaks TCP both ways, since each side must answer).
 */
export const partitionParams = z
  .object({
    peers: peersParam,
    direction: directionParam,
    match: matchParam,
    connections: z.enum(['all', 'new']).default('all'),
  })
  .strict();

const base = { target: networkQuerySchema, targetTypes: ['netns'] } as const;
const lab = { lab: 'demo', hosts: ['db'] };

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  { kind: 'network.bandwidth', params: bandwidthParams, ...base, example: { target: lab, params: { rate: '1mbit' } } },
  { kind: 'network.blackhole', params: blackholeParams, ...base, example: { target: lab, params: { ports: [5432] } } },
  { kind: 'network.dns-block', params: dnsBlockParams, ...base, example: { target: lab, params: {} } },
  { kind: 'network.latency', params: latencyParams, ...base, example: { target: lab, params: { delay: '200ms' } } },
  { kind: 'network.loss', params: lossParams, ...base, example: { target: lab, params: { percent: 30 } } },
  { kind: 'network.partition', params: partitionParams, ...base, example: { target: lab, params: { peers: ['app'] } } },
];
