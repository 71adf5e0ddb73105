/**
 * @module The Kubernetes part of `turbulence doctor`: which kubeconfig, is the API server reachable, may this
 * identity do what each kind needs (one SelfSubjectAccessReview per verb and resource), is the agent installed.
 */
import { VersionApi } from '@kubernetes/client-node';
import type { CapabilityResult } from '../../core/fault.js';
import { errorMessage } from '../../core/errors.js';
import { agentNamespace } from '../../targets/kubernetes.js';
import { kubeClient } from '../../os/kube.js';

/** One permission turbulence needs, and the kinds that need it. `deploy/kubernetes/rbac.yaml` grants each. */
export interface Permission {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  for: string;
}

/** Every permission the runner needs, in the order doctor prints them. */
export const REQUIRED_PERMISSIONS: readonly Permission[] = [
  { verb: 'list', group: '', resource: 'pods', for: 'pod.* and node.drain targets, k8s probes' },
  { verb: 'get', group: '', resource: 'pods', for: 'pod.* verification' },
  { verb: 'delete', group: '', resource: 'pods', for: 'pod.delete' },
  { verb: 'create', group: '', resource: 'pods', subresource: 'eviction', for: 'pod.evict, node.drain' },
  { verb: 'create', group: '', resource: 'pods', subresource: 'exec', for: 'pod.container-kill via exec' },
  { verb: 'list', group: '', resource: 'nodes', for: 'node.* targets' },
  { verb: 'patch', group: '', resource: 'nodes', for: 'node.cordon, node.uncordon, node.drain, node.taint' },
  { verb: 'list', group: 'apps', resource: 'deployments', for: 'workload.scale targets, owner=deployment/...' },
  { verb: 'patch', group: 'apps', resource: 'deployments', for: 'workload.scale undo record' },
  { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', for: 'workload.scale' },
  { verb: 'list', group: 'apps', resource: 'replicasets', for: 'owner=deployment/... targets' },
  { verb: 'list', group: 'policy', resource: 'poddisruptionbudgets', for: 'node.drain budget check' },
  {
    verb: 'create',
    group: 'turbulence.io',
    resource: 'faultrequests',
    for: 'pod network, stress, limit and disk-fill kinds (via the agent)',
  },
  { verb: 'delete', group: 'turbulence.io', resource: 'faultrequests', for: 'pod kinds via the agent: revert' },
  {
    verb: 'create',
    group: 'coordination.k8s.io',
    resource: 'leases',
    for: "pod kinds via the agent: the runner's lease",
  },
  { verb: 'patch', group: 'coordination.k8s.io', resource: 'leases', for: 'pod kinds via the agent: lease renewal' },
];

/** A doctor line. */
export interface KubeDoctorLine {
  name: string;
  result: CapabilityResult;
}

const permissionName = (p: Permission) =>
  `${p.verb} ${p.group ? `${p.group}/` : ''}${p.resource}${p.subresource ? `/${p.subresource}` : ''}`;

/**
 * The Kubernetes section of `turbulence doctor`. Without a kubeconfig it says so in one line and asks nothing.
 *
 * @example
 * for (const l of await kubernetesFacts()) console.log(l.name, l.result.ok);
 */
export async function kubernetesFacts(): Promise<KubeDoctorLine[]> {
  let k;
  try {
    k = kubeClient();
  } catch (err) {
    return [{ name: 'kubeconfig', result: { ok: false, reason: errorMessage(err) } }];
  }
  const lines: KubeDoctorLine[] = [
    { name: 'kubeconfig', result: { ok: true, detail: `${k.kubeconfig ?? 'in-cluster'} (context ${k.context})` } },
  ];
  try {
    const v = await k.call({ verb: 'get', resource: 'version' }, () => k.config.makeApiClient(VersionApi).getCode());
    lines.push({ name: 'API server', result: { ok: true, detail: `${k.server} (Kubernetes ${v.gitVersion})` } });
  } catch (err) {
    lines.push({ name: 'API server', result: { ok: false, reason: errorMessage(err) } });
    return lines;
  }
  const namespace = k.defaultNamespace;
  for (const p of REQUIRED_PERMISSIONS) {
    let result: CapabilityResult;
    try {
      const review = await k.call(
        { verb: 'create', resource: 'selfsubjectaccessreviews', group: 'authorization.k8s.io' },
        () =>
          k.authz.createSelfSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectAccessReview',
              spec: {
                resourceAttributes: {
                  verb: p.verb,
                  group: p.group,
                  resource: p.resource,
                  ...(p.subresource ? { subresource: p.subresource } : {}),
                  ...(p.resource === 'nodes' ? {} : { namespace }),
                },
              },
            },
          }),
      );
      result = review.status?.allowed
        ? { ok: true, detail: `for ${p.for}` }
        : {
            ok: false,
            reason: `denied${review.status?.reason ? ` (${review.status.reason})` : ''}: ${p.for} will not work; grant it (deploy/kubernetes/rbac.yaml)`,
          };
    } catch (err) {
      result = { ok: false, reason: errorMessage(err) };
    }
    lines.push({ name: `may ${permissionName(p)}`, result });
  }
  const ns = agentNamespace();
  try {
    const ds = await k.maybe(
      { verb: 'get', resource: 'daemonsets', group: 'apps', namespace: ns, name: 'turbulence-agent' },
      () => k.apps.readNamespacedDaemonSet({ name: 'turbulence-agent', namespace: ns }),
    );
    lines.push({
      name: 'agent DaemonSet',
      result: ds
        ? {
            ok: true,
            detail: `${ns}/turbulence-agent: ${ds.status?.numberReady ?? 0}/${ds.status?.desiredNumberScheduled ?? 0} ready`,
          }
        : {
            ok: false,
            reason: `no DaemonSet turbulence-agent in namespace ${ns}: pod network and stress kinds need it (kubectl apply -f deploy/kubernetes/)`,
          },
    });
  } catch (err) {
    lines.push({ name: 'agent DaemonSet', result: { ok: false, reason: errorMessage(err) } });
  }
  return lines;
}
