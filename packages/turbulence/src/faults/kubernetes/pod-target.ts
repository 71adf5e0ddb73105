/**
 * @module What a pod target carries, and its cluster's client: shared by every `pod.*` driver.
 */
import type { Target } from '../../core/fault.js';
import { kubeClient, type ClusterRef, type KubeClient } from '../../os/kube.js';

/** What a pod target carries. */
export interface PodAttributes extends ClusterRef {
  namespace: string;
  name: string;
  uid: string;
  node: string;
}

/** A pod target's attributes and its cluster's client. */
export function podOf(target: Target): { pod: PodAttributes; k: KubeClient } {
  const pod = target.attributes as unknown as PodAttributes;
  return { pod, k: kubeClient(pod) };
}
