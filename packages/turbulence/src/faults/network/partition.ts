/**
 * `network.partition`: cuts a target off from its peers (or from everyone but loopback), one way or both.
 * Two groups: target group A and set `peers` to group B. One-way: `direction: egress, connections: new` (A cannot
 * open connections to B; B still opens connections to A and gets answers). `match` narrows it to protocols/ports.
 *
 * @example
 * { kind: 'network.partition', target: { lab: 'etcd', hosts: ['n1'] }, params: { peers: ['n2', 'n3'] } }
 */
import { nftMatches } from './match.js';
import { nftDriver, peerMatch } from './nft.js';
import { byDirection } from './params.js';
import { partitionParams as params } from './schema.js';

export const partitionDriver = nftDriver({
  kind: 'network.partition',
  summary: 'drop all traffic between the target and its peers (or everyone), one way or both',
  params,
  needsPeersOnHost: true,
  rules: (p, peers) => {
    const opening = p.connections === 'new' ? 'ct state new ' : '';
    const drops = (chain: 'input' | 'output'): string[] =>
      nftMatches(p.match).map((m) => `${peerMatch(chain, peers)}${m}${opening}drop`);
    return byDirection(
      p.direction,
      ['iifname "lo" accept', ...drops('input')],
      ['oifname "lo" accept', ...drops('output')],
    );
  },
});
