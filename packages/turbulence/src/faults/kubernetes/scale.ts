/**
 * @module `workload.scale`: sets the replicas of a Deployment, StatefulSet or ReplicaSet through its `scale`
 * subresource; revert restores the count recorded before. The record is written to the workload (annotation
 * `turbulence.io/fault-<id>`, `./marker.ts`) BEFORE the scale, so a runner killed right after scaling still leaves
 * `turbulence recover` the number to restore.
 */
import type { KubernetesObject, V1Scale } from '@kubernetes/client-node';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { resolveWorkloads } from '../../targets/kubernetes.js';
import { kubeClient, mergePatch, type ClusterRef, type KubeClient } from '../../os/kube.js';
import { markerKey, markerOf, markerPatch, readMarker } from './marker.js';
import { scaleParams } from './schema.js';
import type { z } from 'zod';

interface Workload extends ClusterRef {
  kind: 'deployment' | 'statefulset' | 'replicaset';
  namespace: string;
  name: string;
}

/** Reads, patches and scales one workload, whatever its kind. */
function workloadOf(target: Target) {
  const w = target.attributes as unknown as Workload;
  const k: KubeClient = kubeClient(w);
  const { name, namespace, kind } = w;
  const what = (verb: string, sub = '') => ({ verb, resource: `${kind}s${sub}`, group: 'apps', namespace, name });
  const apps = k.apps;
  return {
    w,
    read: (): Promise<KubernetesObject | undefined> =>
      k.maybe(what('get'), (): Promise<KubernetesObject> => {
        if (kind === 'statefulset') return apps.readNamespacedStatefulSet({ name, namespace });
        if (kind === 'replicaset') return apps.readNamespacedReplicaSet({ name, namespace });
        return apps.readNamespacedDeployment({ name, namespace });
      }),
    patch: (body: JsonObject) =>
      k.call(what('patch'), (): Promise<KubernetesObject> => {
        if (kind === 'statefulset') return apps.patchNamespacedStatefulSet({ name, namespace, body }, mergePatch);
        if (kind === 'replicaset') return apps.patchNamespacedReplicaSet({ name, namespace, body }, mergePatch);
        return apps.patchNamespacedDeployment({ name, namespace, body }, mergePatch);
      }),
    replicas: async (): Promise<number> => {
      const s: V1Scale = await k.call(what('get', '/scale'), () => {
        if (kind === 'statefulset') return apps.readNamespacedStatefulSetScale({ name, namespace });
        if (kind === 'replicaset') return apps.readNamespacedReplicaSetScale({ name, namespace });
        return apps.readNamespacedDeploymentScale({ name, namespace });
      });
      return s.spec?.replicas ?? 0;
    },
    scale: async (replicas: number): Promise<void> => {
      const body = { spec: { replicas } };
      await k.call(what('patch', '/scale'), (): Promise<V1Scale> => {
        if (kind === 'statefulset') return apps.patchNamespacedStatefulSetScale({ name, namespace, body }, mergePatch);
        if (kind === 'replicaset') return apps.patchNamespacedReplicaSetScale({ name, namespace, body }, mergePatch);
        return apps.patchNamespacedDeploymentScale({ name, namespace, body }, mergePatch);
      });
    },
  };
}

/** The current replica count of a workload target (for probes and tests). */
export function workloadReplicas(target: Target): Promise<number> {
  return workloadOf(target).replicas();
}

/** `workload.scale`. */
export const scaleDriver: FaultDriver<z.output<typeof scaleParams>> = {
  kind: 'workload.scale',
  summary: 'scale a Deployment/StatefulSet/ReplicaSet to N replicas; revert restores the recorded count',
  params: scaleParams,
  targets: ['workload'],
  resolveTargets: (q) => resolveWorkloads(q),
  async inject(target, params, ctx) {
    const wl = workloadOf(target);
    const marker = markerKey(ctx.faultId);
    const obj = await wl.read();
    if (obj === undefined) {
      throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${wl.w.kind} ${wl.w.namespace}/${wl.w.name} is gone`);
    }
    const others = Object.keys(obj.metadata?.annotations ?? {}).filter(
      (a) => a.startsWith('turbulence.io/fault-') && a !== marker,
    );
    if (others.length > 0) {
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `${wl.w.kind} ${wl.w.namespace}/${wl.w.name} is already scaled by ${others.join(', ')}`,
        {
          hint: 'revert that fault first (`turbulence fault list`), so the count it restores stays right',
        },
      );
    }
    const previous = await wl.replicas();
    await wl.patch(markerPatch(marker, { replicas: previous }));
    await wl.scale(params.replicas);
    return { marker, previous };
  },
  async verify(fault) {
    return (await workloadOf(fault.target).replicas()) === fault.params.replicas;
  },
  async revert(fault) {
    const wl = workloadOf(fault.target);
    const marker = markerOf(fault.state, fault.id);
    const record = readMarker(await wl.read(), marker);
    if (record === undefined) return;
    if (typeof record.replicas === 'number') await wl.scale(record.replicas);
    await wl.patch(markerPatch(marker, null));
  },
};
