/**
 * @module `node.drain`: cordon + evict every evictable pod of a node, like `kubectl drain --ignore-daemonsets`.
 * DaemonSet pods and mirror (static) pods are skipped; pods without a controller are refused unless `force`.
 * Everything that could refuse is checked BEFORE the node is cordoned (maxPods, unmanaged pods, and each
 * PodDisruptionBudget's `disruptionsAllowed`), so a refusal changes nothing. Should an eviction still fail midway,
 * the node is uncordoned before the error is thrown; evicted pods are rescheduled by their controllers.
 * Revert uncordons (through the undo record written with the cordon, `./marker.ts`).
 *
 *   plan (list pods on node server-side, PDBs) ──refuse?──▶ cordon+record ──▶ evict each ──fail?──▶ uncordon, throw
 */
import type { V1LabelSelector, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import { resolveNodes } from '../../targets/kubernetes.js';
import type { KubeClient } from '../../os/kube.js';
import { markerOf } from './marker.js';
import { nodeOf, readNode, setUnschedulable, undoUnschedulable } from './node.js';
import { evict } from './pod.js';
import { drainParams } from './schema.js';
import type { z } from 'zod';

/** What a drain would do: the pods it evicts and the ones it skips, with why. Pure. */
export function drainPlan(pods: readonly V1Pod[]): {
  evict: V1Pod[];
  skip: { pod: V1Pod; why: string }[];
  unmanaged: V1Pod[];
} {
  const out = { evict: [] as V1Pod[], skip: [] as { pod: V1Pod; why: string }[], unmanaged: [] as V1Pod[] };
  for (const pod of pods) {
    const owners = pod.metadata?.ownerReferences ?? [];
    const phase = pod.status?.phase;
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined)
      out.skip.push({ pod, why: 'mirror pod' });
    else if (owners.some((o) => o.kind === 'DaemonSet')) out.skip.push({ pod, why: 'DaemonSet pod' });
    else if (phase === 'Succeeded' || phase === 'Failed') out.skip.push({ pod, why: `${phase.toLowerCase()} pod` });
    else if (pod.metadata?.deletionTimestamp !== undefined) out.skip.push({ pod, why: 'already terminating' });
    else {
      if (!owners.some((o) => o.controller === true)) out.unmanaged.push(pod);
      out.evict.push(pod);
    }
  }
  return out;
}

/** True when labels match a label selector (matchLabels and matchExpressions). Pure. */
export function matchesSelector(labels: Record<string, string> | undefined, sel: V1LabelSelector | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  const hasRules = Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length > 0;
  if (!hasRules) return true; // an empty selector selects every pod of its namespace
  if (!Object.entries(sel.matchLabels ?? {}).every(([k, v]) => l[k] === v)) return false;
  return (sel.matchExpressions ?? []).every((e) => {
    const v = l[e.key];
    if (e.operator === 'In') return v !== undefined && (e.values ?? []).includes(v);
    if (e.operator === 'NotIn') return v === undefined || !(e.values ?? []).includes(v);
    if (e.operator === 'Exists') return v !== undefined;
    if (e.operator === 'DoesNotExist') return v === undefined;
    return false;
  });
}

/** Budgets that the eviction of `pods` would exceed, as messages. Pure. */
export function budgetRefusals(pods: readonly V1Pod[], budgets: readonly V1PodDisruptionBudget[]): string[] {
  const out: string[] = [];
  for (const b of budgets) {
    const ns = b.metadata?.namespace;
    const covered = pods.filter(
      (p) => p.metadata?.namespace === ns && matchesSelector(p.metadata?.labels, b.spec?.selector),
    );
    const allowed = b.status?.disruptionsAllowed ?? 0;
    if (covered.length > allowed) {
      out.push(
        `PodDisruptionBudget ${ns}/${b.metadata?.name} allows ${allowed} disruption(s), the drain would evict ${covered.length} of its pods (${covered.map((p) => p.metadata?.name).join(', ')})`,
      );
    }
  }
  return out;
}

async function podsOn(k: KubeClient, node: string): Promise<V1Pod[]> {
  const list = await k.call({ verb: 'list', resource: 'pods' }, () =>
    k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
  );
  return list.items;
}

async function budgets(k: KubeClient): Promise<V1PodDisruptionBudget[]> {
  const list = await k.maybe({ verb: 'list', resource: 'poddisruptionbudgets', group: 'policy' }, () =>
    k.policy.listPodDisruptionBudgetForAllNamespaces({}),
  );
  return list?.items ?? [];
}

const key = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** `node.drain`. */
export const drainDriver: FaultDriver<z.output<typeof drainParams>> = {
  kind: 'node.drain',
  summary: 'cordon a node and evict its pods (DaemonSet and mirror pods skipped, budgets honoured); revert uncordons',
  params: drainParams,
  targets: ['node'],
  resolveTargets: (q) => resolveNodes(q),
  async inject(target, params, ctx) {
    const { name, k } = nodeOf(target);
    const plan = drainPlan(await podsOn(k, name));
    const refuse = (msg: string, hint: string) =>
      new TurbulenceError(ErrorCodes.TARGET_REFUSED, `not draining node ${name}: ${msg}`, { hint });
    if (params.maxPods !== undefined && plan.evict.length > params.maxPods) {
      throw refuse(
        `it holds ${plan.evict.length} evictable pods, more than maxPods ${params.maxPods}`,
        'raise maxPods or pick a quieter node; nothing was changed',
      );
    }
    if (plan.unmanaged.length > 0 && !params.force) {
      throw refuse(
        `pods without a controller would be lost: ${plan.unmanaged.map(key).join(', ')}`,
        'like kubectl drain --force: pass force: true to evict them anyway; nothing was changed',
      );
    }
    const refusals = budgetRefusals(plan.evict, await budgets(k));
    if (refusals.length > 0)
      throw refuse(
        refusals.join('; '),
        'wait until the budget allows more disruptions, or relax it; nothing was changed',
      );
    const state = await setUnschedulable(k, name, true, ctx.faultId);
    const evicted: string[] = [];
    try {
      for (const pod of plan.evict) {
        if (ctx.signal.aborted) throw new TurbulenceError(ErrorCodes.INTERRUPTED, `drain of node ${name} interrupted`);
        await evict(k, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', params.gracePeriod);
        evicted.push(key(pod));
      }
    } catch (err) {
      await undoUnschedulable(k, name, state.marker).catch(() => undefined);
      throw new TurbulenceError(
        ErrorCodes.FAULT_INJECT_FAILED,
        `drain of node ${name} stopped after ${evicted.length} of ${plan.evict.length} evictions: ${errorMessage(err)}; the node was uncordoned`,
        {
          hint: 'evicted pods are rescheduled by their controllers; fix the cause and drain again',
          cause: err,
        },
      );
    }
    return { ...state, evicted, skipped: plan.skip.map((s) => `${key(s.pod)} (${s.why})`) };
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
