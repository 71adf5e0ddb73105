/**
 * The `network` fault family (root, Linux): partitions, loss, blackholes and DNS blocks as nft tables inside the
 * target's namespace; bandwidth and latency as qdiscs. Targets: lab hosts, named namespaces, this machine.
 */
import type { AnyDriver } from '../../core/fault.js';
import { bandwidthDriver } from './bandwidth.js';
import { blackholeDriver } from './blackhole.js';
import { dnsBlockDriver } from './dns-block.js';
import { latencyDriver } from './latency.js';
import { lossDriver } from './loss.js';
import { partitionDriver } from './partition.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  partitionDriver,
  lossDriver,
  blackholeDriver,
  dnsBlockDriver,
  bandwidthDriver,
  latencyDriver,
];

export { resolveNetworkTargets, networkQuerySchema } from '../../targets/netns.js';
export type { NetworkAttributes } from '../../targets/netns.js';
export { turbulenceTables } from './nft.js';
export { netemAvailable, nfqueueAvailable } from './capabilities.js';
