/**
 * `network.blackhole`: silently drops traffic to a port (of the target, or of remote services it calls) and/or
 * to/from peers. Unlike a reject, callers see timeouts, not refusals.
 *
 * @example
 * { kind: 'network.blackhole', target: { lab: 'etcd', hosts: ['n1'] }, params: { ports: [2379] } }
 */
import { nftDriver, peerMatch } from './nft.js';
import { byDirection } from './params.js';
import { blackholeParams as params } from './schema.js';

export const blackholeDriver = nftDriver({
  kind: 'network.blackhole',
  summary: 'silently drop traffic to a port and/or a peer',
  params,
  rules: (p, peers) => {
    const protos = p.protocol === 'both' ? ['tcp', 'udp'] : [p.protocol];
    const rule = (chain: 'input' | 'output'): string[] => {
      if (!p.ports) return [`${peerMatch(chain, peers)}drop`];
      return protos.map((proto) => `${peerMatch(chain, peers)}${proto} dport { ${p.ports?.join(', ')} } drop`);
    };
    return byDirection(p.direction, rule('input'), rule('output'));
  },
});
