/**
 * The Kubernetes fault family: kinds `pod.*`, `node.*` and `workload.*` (three prefixes, one family), on the
 * official `@kubernetes/client-node` through one client (`os/kube.ts`; the target layer uses it too, and targets may not import faults). Targets come from `targets/kubernetes.ts`.
 */
import type { AnyDriver } from '../../core/fault.js';
import { drainDriver } from './drain.js';
import { cordonDriver, taintDriver, uncordonDriver } from './node.js';
import { containerKillDriver, podDeleteDriver, podEvictDriver } from './pod.js';
import {
  podBandwidthDriver,
  podDnsBlockDriver,
  podLatencyDriver,
  podLossDriver,
  podPartitionDriver,
} from './pod-network.js';
import {
  podDiskFillDriver,
  podLimitCpuDriver,
  podLimitMemoryDriver,
  podLimitPidsDriver,
  podStressDriver,
} from './pod-resource.js';
import { scaleDriver } from './scale.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  podDeleteDriver,
  podEvictDriver,
  containerKillDriver,
  cordonDriver,
  uncordonDriver,
  drainDriver,
  taintDriver,
  scaleDriver,
  podPartitionDriver,
  podLossDriver,
  podLatencyDriver,
  podBandwidthDriver,
  podDnsBlockDriver,
  podStressDriver,
  podLimitCpuDriver,
  podLimitMemoryDriver,
  podLimitPidsDriver,
  podDiskFillDriver,
];

export { KubeClient, kubeClient } from '../../os/kube.js';
export type { ClusterRef } from '../../os/kube.js';
