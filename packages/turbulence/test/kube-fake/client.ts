/**
 * `@kubernetes/client-node` as installed for the turbulence package (it lives in `packages/turbulence/node_modules`,
 * so code outside the package, such as `bench/`, imports it through here), and a client for a running fake.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export { CoreV1Api, KubeConfig };

/** A KubeConfig loaded from the fake's kubeconfig text. */
export function kubeConfigOf(kubeconfig: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return kc;
}
