/**
 * `network.partition`: cuts a target off from its peers (or from everyone but loopback), one way or both.
 * Two groups: target group A and set `peers` to group B; `direction: egress` makes it one-way (A cannot send to B).
 *
 * @example
 * { kind: 'network.partition', target: { lab: 'etcd', hosts: ['n1'] }, params: { peers: ['n2', 'n3'] } }
 */
import { nftDriver, peerMatch } from './nft.js';
import { byDirection } from './params.js';
import { partitionParams as params } from './schema.js';

export const partitionDriver = nftDriver({
  kind: 'network.partition',
  summary: 'drop all traffic between the target and its peers (or everyone), one way or both',
  params,
  needsPeersOnHost: true,
  rules: (p, peers) =>
    byDirection(
      p.direction,
      ['iifname "lo" accept', `${peerMatch('input', peers)}drop`],
      ['oifname "lo" accept', `${peerMatch('output', peers)}drop`],
    ),
});
