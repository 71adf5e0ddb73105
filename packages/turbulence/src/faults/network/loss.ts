/**
 * `network.loss`: drops a random percentage of packets (nft `numgen random`), optionally only to/from some peers.
 * `match` narrows it to a protocol, addresses or ports. With `direction: both` a round trip crosses the filter twice, so its loss compounds.
 *
 * @example
 * { kind: 'network.loss', target: { lab: 'etcd', hosts: ['n2'] }, params: { percent: 30 } }
 */
import { nftMatches } from './match.js';
import { nftDriver, peerMatch } from './nft.js';
import { byDirection } from './params.js';
import { lossParams as params } from './schema.js';

/** nft match for `percent` % of packets, in tenths of a percent. */
const chance = (percent: number): string =>
  percent >= 100 ? '' : `numgen random mod 1000 < ${Math.round(percent * 10)} `;

export const lossDriver = nftDriver({
  kind: 'network.loss',
  summary: 'drop a random percentage of packets, optionally per peer',
  params,
  rules: (p, peers) => {
    const rule = (chain: 'input' | 'output'): string[] => [
      ...(peers.length === 0 ? [`${chain === 'input' ? 'iif' : 'oif'}name "lo" accept`] : []),
      ...nftMatches(p.match).map((m) => `${peerMatch(chain, peers)}${m}${chance(p.percent)}drop`),
    ];
    return byDirection(p.direction, rule('input'), rule('output'));
  },
});
