/**
 * `network.dns-block`: drops the target's outgoing DNS queries (UDP and TCP to port 53, or another port), to every
 * server or only to the given ones. Name lookups then time out.
 *
 * @example
 * { kind: 'network.dns-block', target: { lab: 'demo', hosts: ['app'] }, params: {} }
 */
import { z } from 'zod';
import { nftDriver, peerMatch } from './nft.js';

const params = z
  .object({
    /** DNS servers to block (addresses/CIDRs or lab hosts); absent = all. */
    peers: z.array(z.string().min(1)).min(1).optional(),
    port: z.number().int().min(1).max(65535).default(53),
  })
  .strict();

export const dnsBlockDriver = nftDriver({
  kind: 'network.dns-block',
  summary: 'drop outgoing DNS queries (UDP/TCP port 53), to all servers or some',
  params,
  rules: (p, peers) => ({
    input: [],
    output: ['udp', 'tcp'].map((proto) => `${peerMatch('output', peers)}${proto} dport ${p.port} drop`),
  }),
});
