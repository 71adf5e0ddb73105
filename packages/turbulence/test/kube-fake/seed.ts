/**
 * The seeded cluster: three Ready nodes `node-1..3`, namespaces `default`, `kube-system`, `kube-public`,
 * `kube-node-lease`, a Deployment `web` (3 replicas, pods labelled `app=web` and opted in with
 * `turbulence.io/enabled=true`) and a DaemonSet `kube-proxy` in `kube-system` (one pod per node).
 */
import type { Cluster } from './cluster.js';

/** Labels of the seeded `web` pods. */
export const WEB_LABELS = { app: 'web', 'turbulence.io/enabled': 'true' };

/** A Ready node as the kubelet would report it. */
export function readyNode(name: string, index: number): Parameters<Cluster['put']>[1] {
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, st: string, reason: string): Record<string, unknown> => ({
    type,
    status: st,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
    reason,
    message: reason,
  });
  const capacity = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '50Gi' };
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
      },
    },
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        cond('Ready', 'True', 'KubeletReady'),
      ],
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${10 + index}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        containerRuntimeVersion: 'containerd://1.7.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'kube-fake',
        kernelVersion: '6.1.0',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

/** Writes the seeded objects into `cluster`. */
export function seedDefault(cluster: Cluster): void {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    cluster.put('namespaces', { metadata: { name: ns } });
  for (let i = 1; i <= 3; i++) cluster.put('nodes', readyNode(`node-${i}`, i));
  cluster.put('deployments', {
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { ...WEB_LABELS } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
      },
    },
  });
  cluster.put('daemonsets', {
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-proxy' } },
        spec: {
          containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.0' }],
          tolerations: [{ operator: 'Exists' }],
        },
      },
    },
  });
}

/** Only the namespaces every cluster has. */
export function seedEmpty(cluster: Cluster): void {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    cluster.put('namespaces', { metadata: { name: ns } });
}
