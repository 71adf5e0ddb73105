/**
 * @module `pod.delete`, `pod.evict`, `pod.container-kill`: one-shot pod faults. They cannot be undone (a deleted pod
 * stays deleted; its controller makes a new one, which is what the experiment watches), so revert only clears the
 * fault's records. `pod.evict` goes through the Eviction API: a PodDisruptionBudget refusal is reported as such.
 * `pod.container-kill` signals through the node agent (`via: agent`: a one-shot FaultRequest, withdrawn once
 * answered) or through the exec subresource (`via: exec`); `auto` takes the agent when one runs on the pod's node.
 */
import { Exec } from '@kubernetes/client-node';
import type { V1Pod, V1Status } from '@kubernetes/client-node';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import { agentNamespace, resolvePods } from '../../targets/kubernetes.js';
import { KubeTooManyRequests, type KubeClient } from '../../os/kube.js';
import { podOf } from './pod-target.js';

export { podOf, type PodAttributes } from './pod-target.js';
import { containerKillParams, podDeleteParams, podEvictParams } from './schema.js';
import type { z } from 'zod';

/** True when the pod with the target's uid is gone or terminating. */
async function goneOrTerminating(target: Target): Promise<boolean> {
  const { pod, k } = podOf(target);
  const now = await k.maybe({ verb: 'get', resource: 'pods', namespace: pod.namespace, name: pod.name }, () =>
    k.core.readNamespacedPod({ name: pod.name, namespace: pod.namespace }),
  );
  return now === undefined || now.metadata?.uid !== pod.uid || now.metadata?.deletionTimestamp !== undefined;
}

const oneShot = {
  reversible: false,
  targets: ['pod'],
  resolveTargets: (q: Parameters<typeof resolvePods>[0]) => resolvePods(q),
} as const;

/** `pod.delete`. */
export const podDeleteDriver: FaultDriver<z.output<typeof podDeleteParams>> = {
  kind: 'pod.delete',
  summary: 'delete a pod (grace period 0 by default); its controller replaces it',
  params: podDeleteParams,
  ...oneShot,
  async inject(target, params) {
    const { pod, k } = podOf(target);
    const gracePeriodSeconds = params.force ? 0 : params.gracePeriod;
    await k.maybe({ verb: 'delete', resource: 'pods', namespace: pod.namespace, name: pod.name }, () =>
      k.core.deleteNamespacedPod({
        name: pod.name,
        namespace: pod.namespace,
        gracePeriodSeconds,
        body: { gracePeriodSeconds, ...(pod.uid ? { preconditions: { uid: pod.uid } } : {}) },
      }),
    );
    return { uid: pod.uid };
  },
  verify: (fault) => goneOrTerminating(fault.target),
  async revert() {
    // Irreversible: the pod's controller brings a new one; there is nothing of turbulence to remove.
  },
};

/** `pod.evict`. */
export const podEvictDriver: FaultDriver<z.output<typeof podEvictParams>> = {
  kind: 'pod.evict',
  summary: 'evict a pod through the Eviction API (PodDisruptionBudgets honoured; a refusal is reported)',
  params: podEvictParams,
  ...oneShot,
  async inject(target, params) {
    const { pod, k } = podOf(target);
    await evict(k, pod.namespace, pod.name, params.gracePeriod);
    return { uid: pod.uid };
  },
  verify: (fault) => goneOrTerminating(fault.target),
  async revert() {
    // Irreversible, like pod.delete.
  },
};

/** Evicts one pod; a PodDisruptionBudget refusal becomes a TARGET_REFUSED error that says so. 404 is fine. */
export async function evict(k: KubeClient, namespace: string, name: string, gracePeriod?: number): Promise<void> {
  try {
    await k.maybe({ verb: 'create', resource: 'pods/eviction', namespace, name }, () =>
      k.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(gracePeriod !== undefined ? { deleteOptions: { gracePeriodSeconds: gracePeriod } } : {}),
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof KubeTooManyRequests)) throw err;
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `a PodDisruptionBudget refuses the eviction of pod ${namespace}/${name}: ${err.message}`,
      {
        hint: 'the budget allows no more disruptions now: wait until the pods it covers are ready, relax the budget, or use pod.delete (which ignores budgets)',
        cause: err,
      },
    );
  }
}

/** `pod.container-kill`. */
export const containerKillDriver: FaultDriver<z.output<typeof containerKillParams>> = {
  kind: 'pod.container-kill',
  summary:
    "send a signal to a pod container's main process (through the node agent, or kill via exec); the kubelet restarts it",
  params: containerKillParams,
  ...oneShot,
  async inject(target, params, ctx) {
    const { pod, k } = podOf(target);
    const now: V1Pod = await k.call({ verb: 'get', resource: 'pods', namespace: pod.namespace, name: pod.name }, () =>
      k.core.readNamespacedPod({ name: pod.name, namespace: pod.namespace }),
    );
    const container = params.container ?? now.spec?.containers[0]?.name;
    if (!container || !now.spec?.containers.some((c) => c.name === container)) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_INVALID_PARAMS,
        `pod ${pod.namespace}/${pod.name} has no container ${container ?? ''}`,
        {
          location: { path: ['params', 'container'] },
          hint: `its containers: ${(now.spec?.containers ?? []).map((c) => c.name).join(', ')}`,
        },
      );
    }
    const before = restarts(now, container);
    const signal = params.signal.replace(/^SIG/, '');
    const via = params.via === 'auto' ? ((await agentOnNode(k, pod.node)) ? 'agent' : 'exec') : params.via;
    if (via === 'agent') {
      // The agent signals the container's process, found through /proc on the node (no `kill` needed in the image).
      const { applyOnce } = await import('./pod-network.js');
      await applyOnce(target, 'pod.container-kill', { container, signal: `SIG${signal}` }, ctx);
    } else {
      await execKill(k, pod.namespace, pod.name, container, signal);
    }
    return { container, restartsBefore: before, via };
  },
  async revert() {
    // Irreversible: the kubelet restarts the container by its restart policy.
  },
};

/**
 * True when a turbulence agent pod runs (Running) on `node`: `pod.container-kill` with `via: auto` then goes
 * through it. Lists pods labelled `app=turbulence-agent` in the agent's namespace (needs `list pods` there).
 */
export async function agentOnNode(k: KubeClient, node: string): Promise<boolean> {
  const namespace = agentNamespace();
  const list = await k
    .maybe({ verb: 'list', resource: 'pods', namespace }, () =>
      k.core.listNamespacedPod({
        namespace,
        labelSelector: 'app=turbulence-agent',
        fieldSelector: `spec.nodeName=${node}`,
      }),
    )
    .catch(() => undefined);
  return (list?.items ?? []).some((p) => p.status?.phase === 'Running');
}

function restarts(pod: V1Pod, container: string): number {
  return pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0;
}

/** Runs `kill -s SIG 1` in the container through the exec subresource (needs `create pods/exec`). */
async function execKill(
  k: KubeClient,
  namespace: string,
  name: string,
  container: string,
  signal: string,
): Promise<void> {
  const status = await k.call({ verb: 'create', resource: 'pods/exec', namespace, name }, async () => {
    const exec = new Exec(k.config);
    return new Promise<V1Status>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ status: 'Failure', message: 'exec gave no status within 15s' }), 15_000);
      exec
        .exec(namespace, name, container, ['kill', '-s', signal, '1'], null, null, null, false, (s) => {
          clearTimeout(timer);
          resolve(s);
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  });
  if (status.status !== 'Success') {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INJECT_FAILED,
      `kill -s ${signal} 1 in ${namespace}/${name}/${container} failed: ${status.message ?? status.reason ?? 'unknown'}`,
      {
        hint: 'the container needs a `kill` binary; otherwise use pod.delete, or run the turbulence agent on the node',
      },
    );
  }
}
