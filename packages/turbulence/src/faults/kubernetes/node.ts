/**
 * @module `node.cordon`, `node.uncordon`, `node.taint`: node faults that revert exactly what they changed. Each
 * change and its undo record (`./marker.ts`) go to the API server in one merge patch, so the node itself always
 * says what turbulence changed; a node already in the asked state is left alone and revert leaves it alone too.
 */
import type { V1Node, V1Taint } from '@kubernetes/client-node';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { resolveNodes } from '../../targets/kubernetes.js';
import { kubeClient, mergePatch, type ClusterRef, type KubeClient } from '../../os/kube.js';
import { markerKey, markerOf, markerPatch, readMarker } from './marker.js';
import { noParams, taintParams } from './schema.js';
import type { z } from 'zod';

/** A node target's name and its cluster's client. */
export function nodeOf(target: Target): { name: string; k: KubeClient } {
  const a = target.attributes as unknown as ClusterRef & { name: string };
  return { name: a.name, k: kubeClient(a) };
}

/** Reads a node; undefined when it is gone. */
export function readNode(k: KubeClient, name: string): Promise<V1Node | undefined> {
  return k.maybe({ verb: 'get', resource: 'nodes', name }, () => k.core.readNode({ name }));
}

/** Merge-patches a node. */
export async function patchNode(k: KubeClient, name: string, body: JsonObject): Promise<void> {
  await k.call({ verb: 'patch', resource: 'nodes', name }, () => k.core.patchNode({ name, body }, mergePatch));
}

/** Sets `spec.unschedulable` with an undo record; no-op when the node is already so. Returns the state. */
export async function setUnschedulable(
  k: KubeClient,
  name: string,
  value: boolean,
  faultId: string | undefined,
): Promise<{ marker: string; changed: boolean }> {
  const marker = markerKey(faultId);
  const node = await readNode(k, name);
  if (node === undefined || (node.spec?.unschedulable === true) === value) return { marker, changed: false };
  await patchNode(k, name, {
    spec: { unschedulable: value ? true : null },
    ...markerPatch(marker, { unschedulable: !value }),
  });
  return { marker, changed: true };
}

/** Undoes {@link setUnschedulable} when the node still holds its undo record. */
export async function undoUnschedulable(k: KubeClient, name: string, marker: string): Promise<void> {
  const node = await readNode(k, name);
  const record = readMarker(node, marker);
  if (record === undefined) return;
  await patchNode(k, name, {
    spec: { unschedulable: record.unschedulable === true ? true : null },
    ...markerPatch(marker, null),
  });
}

const nodeFault = {
  targets: ['node'],
  resolveTargets: (q: Parameters<typeof resolveNodes>[0]) => resolveNodes(q),
} as const;

/** `node.cordon`. */
export const cordonDriver: FaultDriver<z.output<typeof noParams>> = {
  kind: 'node.cordon',
  summary: 'mark a node unschedulable (kubectl cordon); revert uncordons it',
  params: noParams,
  ...nodeFault,
  async inject(target, _params, ctx) {
    const { name, k } = nodeOf(target);
    return setUnschedulable(k, name, true, ctx.faultId);
  },
  async verify(fault) {
    const { name, k } = nodeOf(fault.target);
    return (await readNode(k, name))?.spec?.unschedulable === true;
  },
  async revert(fault) {
    const { name, k } = nodeOf(fault.target);
    await undoUnschedulable(k, name, markerOf(fault.state, fault.id));
  },
};

/** `node.uncordon`. */
export const uncordonDriver: FaultDriver<z.output<typeof noParams>> = {
  kind: 'node.uncordon',
  summary: 'mark a cordoned node schedulable again; revert cordons it again',
  params: noParams,
  ...nodeFault,
  async inject(target, _params, ctx) {
    const { name, k } = nodeOf(target);
    return setUnschedulable(k, name, false, ctx.faultId);
  },
  async verify(fault) {
    const { name, k } = nodeOf(fault.target);
    return (await readNode(k, name))?.spec?.unschedulable !== true;
  },
  async revert(fault) {
    const { name, k } = nodeOf(fault.target);
    await undoUnschedulable(k, name, markerOf(fault.state, fault.id));
  },
};

type TaintParams = z.output<typeof taintParams>;

/** True when two taints are the same taint (key, effect and value). Pure. */
export function sameTaint(a: V1Taint, b: { key: string; effect: string; value?: string | undefined }): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');
}

/** `node.taint`. */
export const taintDriver: FaultDriver<TaintParams> = {
  kind: 'node.taint',
  summary: 'add a taint to a node (default turbulence.io/fault:NoSchedule); revert removes exactly that taint',
  params: taintParams,
  ...nodeFault,
  async inject(target, params, ctx) {
    const { name, k } = nodeOf(target);
    const marker = markerKey(ctx.faultId);
    const node = await readNode(k, name);
    const taints = node?.spec?.taints ?? [];
    if (node === undefined || taints.some((t) => sameTaint(t, params))) return { marker, changed: false };
    const taint: JsonObject = {
      key: params.key,
      effect: params.effect,
      ...(params.value !== undefined ? { value: params.value } : {}),
    };
    await patchNode(k, name, {
      metadata: { ...version(node), annotations: markerPatch(marker, { taint }).metadata.annotations },
      spec: { taints: [...taints.map(plainTaint), taint] },
    });
    return { marker, changed: true };
  },
  async verify(fault) {
    const { name, k } = nodeOf(fault.target);
    return ((await readNode(k, name))?.spec?.taints ?? []).some((t) => sameTaint(t, fault.params));
  },
  async revert(fault) {
    const { name, k } = nodeOf(fault.target);
    const marker = markerOf(fault.state, fault.id);
    const node = await readNode(k, name);
    const record = readMarker(node, marker);
    if (node === undefined || record === undefined) return;
    const taint = (record.taint ?? fault.params) as TaintParams;
    const kept = (node.spec?.taints ?? []).filter((t) => !sameTaint(t, taint));
    await patchNode(k, name, {
      metadata: { ...version(node), annotations: markerPatch(marker, null).metadata.annotations },
      spec: { taints: kept.map(plainTaint) },
    });
  },
};

/** The node's resourceVersion as a patch precondition (a concurrent change to the taints gives a 409, not a loss). */
function version(node: V1Node): JsonObject {
  const rv = node.metadata?.resourceVersion;
  return rv ? { resourceVersion: rv } : {};
}

/** A taint as plain JSON for a patch. */
function plainTaint(t: V1Taint): JsonObject {
  return {
    key: t.key,
    effect: t.effect,
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.timeAdded !== undefined ? { timeAdded: new Date(t.timeAdded).toISOString() } : {}),
  };
}
