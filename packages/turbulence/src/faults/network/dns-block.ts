/**
 * `network.dns-block`: drops the target's outgoing DNS queries (UDP and TCP to port 53, or another port), to every
 * server or only to the given ones. Name lookups then time out.
 *
 * @example
 * { kind: 'network.dns-block', target: { lab: 'demo', hosts: ['app'] }, params: {} }
 */
import { nftDriver, peerMatch } from './nft.js';
import { dnsBlockParams as params } from './schema.js';

export const dnsBlockDriver = nftDriver({
  kind: 'network.dns-block',
  summary: 'drop outgoing DNS queries (UDP/TCP port 53), to all servers or some',
  params,
  rules: (p, peers) => ({
    input: [],
    output: ['udp', 'tcp'].map((proto) => `${peerMatch('output', peers)}${proto} dport ${p.port} drop`),
  }),
});
