/**
 * @module The pod kinds applied by the `turbulence agent` on the pod's node (see `./fault-request.ts` for the
 * transport): `pod.partition`, `pod.loss`, `pod.latency`, `pod.bandwidth`, `pod.dns-block` (the network family in the
 * pod's network namespace) here, and the resource kinds of `./pod-resource.ts` (stress and limit families on the
 * container's process and cgroups) through the same {@link podAgentDriver}. The runner only talks to the API server:
 *
 *   inject → renew this runner's Lease (from now until its last pod fault is reverted)
 *          → create FaultRequest turbulence-<fault id> (finalizer turbulence.io/agent, label turbulence.io/node,
 *            durationMs when the fault has a duration: the agent reverts at expiry even with the runner gone)
 *          → wait for status Applied (Failed: its message; nothing: "no agent answered on node N")
 *   detach → take the lease off the request (spec.detached): it lives until its duration, revert or `recover`
 *   revert → delete the request → wait until the agent has reverted and released it (it is gone)
 *
 * A runner that dies stops renewing its Lease; the agent reverts its (not detached) faults once the Lease is stale.
 */
import { hostname } from 'node:os';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultContext, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { resolvePods } from '../../targets/kubernetes.js';
import { mergePatch, type KubeClient } from '../../os/kube.js';
import { faultIdOf } from '../naming.js';
import { bandwidthParams, dnsBlockParams, lossParams, partitionParams } from '../network/schema.js';
import { latencyParams } from '../network/latency-types.js';
import {
  AGENT_FINALIZER,
  FAULT_REQUEST,
  NODE_LABEL,
  agentAsk,
  requestName,
  type FaultRequest,
  type PodAgentKind,
} from './fault-request.js';
import { podOf, type PodAttributes } from './pod-target.js';

/** Seconds of the runner's Lease (`TURBULENCE_LEASE_SECONDS`, default 15): the agent reverts after that long. */
export function leaseSeconds(): number {
  const n = Number(process.env.TURBULENCE_LEASE_SECONDS);
  return Number.isInteger(n) && n > 0 ? n : 15;
}

/** How long inject/revert wait for the agent, ms (`TURBULENCE_AGENT_TIMEOUT_MS`, default 30000). */
export function agentTimeoutMs(): number {
  const n = Number(process.env.TURBULENCE_AGENT_TIMEOUT_MS);
  return Number.isInteger(n) && n > 0 ? n : 30_000;
}

const { group, version, plural } = FAULT_REQUEST;

/** This runner's Lease name: host and pid, so two runners never share one. */
export function runnerLeaseName(): string {
  const host = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 30);
  return `turbulence-runner-${host}-${process.pid}`.replace(/-+/g, '-');
}

interface Keeper {
  timer: NodeJS.Timeout;
  users: number;
}
const keepers = new Map<string, Keeper>();

/** Creates (or takes over) this runner's Lease in `namespace` and renews it every third of its duration. */
async function holdLease(k: KubeClient, namespace: string): Promise<{ namespace: string; name: string }> {
  const name = runnerLeaseName();
  const key = `${k.server}\0${namespace}`;
  const held = keepers.get(key);
  if (held) {
    held.users++;
    return { namespace, name };
  }
  const seconds = leaseSeconds();
  const renew = async (): Promise<void> => {
    const spec = {
      holderIdentity: `${hostname()}/${process.pid}`,
      leaseDurationSeconds: seconds,
      renewTime: new Date().toISOString() as unknown as Date,
    };
    const what = { verb: 'patch', resource: 'leases', group: 'coordination.k8s.io', namespace, name };
    const patched = await k.maybe(what, () =>
      k.coordination.patchNamespacedLease({ namespace, name, body: { spec } }, mergePatch),
    );
    if (patched) return;
    await k.call({ ...what, verb: 'create' }, () =>
      k.coordination.createNamespacedLease({
        namespace,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
      }),
    );
  };
  await renew();
  const timer = setInterval(() => void renew().catch(() => undefined), (seconds * 1000) / 3);
  timer.unref();
  keepers.set(key, { timer, users: 1 });
  return { namespace, name };
}

/**
 * One fault fewer needs the Lease; the last one stops renewing and deletes it (with `keep`, leaves it to lapse: a
 * detached request's agent may still be looking at the lease it had a moment ago).
 */
async function dropLease(k: KubeClient, namespace: string, keep = false): Promise<void> {
  const key = `${k.server}\0${namespace}`;
  const held = keepers.get(key);
  if (!held || --held.users > 0) return;
  clearInterval(held.timer);
  keepers.delete(key);
  if (keep) return;
  const name = runnerLeaseName();
  await k
    .maybe({ verb: 'delete', resource: 'leases', group: 'coordination.k8s.io', namespace, name }, () =>
      k.coordination.deleteNamespacedLease({ namespace, name }),
    )
    .catch(() => undefined);
}

async function readRequest(k: KubeClient, namespace: string, name: string): Promise<FaultRequest | undefined> {
  return (await k.maybe({ verb: 'get', resource: plural, group, namespace, name }, () =>
    k.custom.getNamespacedCustomObject({ group, version, plural, namespace, name }),
  )) as FaultRequest | undefined;
}

async function deleteRequest(k: KubeClient, namespace: string, name: string): Promise<void> {
  await k.maybe({ verb: 'delete', resource: plural, group, namespace, name }, () =>
    k.custom.deleteNamespacedCustomObject({ group, version, plural, namespace, name }),
  );
}

/** Takes the agent's finalizer off (only when no agent answered: otherwise the agent does it after reverting). */
async function forceRelease(k: KubeClient, namespace: string, name: string): Promise<void> {
  await k.maybe({ verb: 'patch', resource: plural, group, namespace, name }, () =>
    k.custom.patchNamespacedCustomObject(
      { group, version, plural, namespace, name, body: { metadata: { finalizers: [] } } },
      mergePatch,
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done(request)` says so; undefined on timeout. */
async function until<T>(
  k: KubeClient,
  namespace: string,
  name: string,
  done: (r: FaultRequest | undefined) => T | undefined,
): Promise<T | undefined> {
  const deadline = Date.now() + agentTimeoutMs();
  for (;;) {
    const out = done(await readRequest(k, namespace, name));
    if (out !== undefined) return out;
    if (Date.now() > deadline) return undefined;
    await sleep(100);
  }
}

interface PodAgentState extends JsonObject {
  request: string;
  namespace: string;
  node: string;
}

function stateOf(fault: { id: string; target: Target; state?: unknown }): PodAgentState {
  const s = fault.state as Partial<PodAgentState> | undefined;
  const { pod } = podOf(fault.target);
  return {
    request: s?.request ?? requestName(fault.id),
    namespace: s?.namespace ?? pod.namespace,
    node: s?.node ?? pod.node,
  };
}

/** The FaultRequest for one pod fault (without `lease`: {@link submit} adds it when there is one). */
function requestBody(kind: PodAgentKind, pod: PodAttributes, faultId: string, p: JsonObject, ctx: FaultContext) {
  const ask = agentAsk(kind, p);
  const name = requestName(faultId);
  const durationMs = ctx.expiresAt !== undefined ? Math.max(1, Math.round(ctx.expiresAt - Date.now())) : undefined;
  const body: FaultRequest = {
    apiVersion: `${group}/${version}`,
    kind: FAULT_REQUEST.kind,
    metadata: {
      name,
      namespace: pod.namespace,
      labels: { [NODE_LABEL]: pod.node },
      finalizers: [AGENT_FINALIZER],
    },
    spec: {
      faultId,
      kind: ask.kind,
      params: ask.params,
      node: pod.node,
      pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
      ...(ask.container !== undefined ? { container: ask.container } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
    },
  };
  return body;
}

/**
 * Creates the request (unless it exists) and waits for the agent's answer: resolves when it is Applied; otherwise
 * deletes it and throws (the agent's Failed message, or "no turbulence agent answered on node N").
 */
async function submit(k: KubeClient, kind: string, pod: PodAttributes, body: FaultRequest): Promise<void> {
  const { namespace, name } = body.metadata as { namespace: string; name: string };
  if (!(await readRequest(k, namespace, name))) {
    await k.call({ verb: 'create', resource: plural, group, namespace, name }, () =>
      k.custom.createNamespacedCustomObject({ group, version, plural, namespace, body }),
    );
  }
  const phase = await until(k, namespace, name, (r) => (r?.status ? r.status : undefined));
  if (phase?.phase === 'Applied') return;
  await deleteRequest(k, namespace, name);
  if (!phase) {
    await forceRelease(k, namespace, name);
    throw new TurbulenceError(
      ErrorCodes.UNAVAILABLE,
      `no turbulence agent answered on node ${pod.node} within ${agentTimeoutMs() / 1000}s (FaultRequest ${namespace}/${name} for pod ${namespace}/${pod.name})`,
      {
        hint: `is the agent DaemonSet running on ${pod.node}? \`kubectl -n turbulence get pods -l app=turbulence-agent -o wide\`; install it with \`kubectl apply -f deploy/kubernetes/\``,
      },
    );
  }
  await until(k, namespace, name, (r) => (r === undefined ? true : undefined));
  throw new TurbulenceError(
    ErrorCodes.FAULT_INJECT_FAILED,
    `the agent on node ${pod.node} could not apply ${kind} to pod ${namespace}/${pod.name}: ${phase.message}`,
    { hint: 'see the agent log on that node: `kubectl -n turbulence logs -l app=turbulence-agent`' },
  );
}

/** Deletes a request and waits until the agent has reverted and released it; false when it did not in time. */
async function withdraw(k: KubeClient, namespace: string, name: string): Promise<boolean> {
  if (!(await readRequest(k, namespace, name))) return true;
  await deleteRequest(k, namespace, name);
  return (await until(k, namespace, name, (r) => (r === undefined ? true : undefined))) === true;
}

/**
 * A one-shot fault through the agent (`pod.container-kill` with `via: agent`): the request carries no lease and
 * is withdrawn as soon as the agent answered, so nothing of it stays in the cluster.
 */
export async function applyOnce(target: Target, kind: PodAgentKind, p: JsonObject, ctx: FaultContext): Promise<void> {
  const { pod, k } = podOf(target);
  const faultId = faultIdOf(ctx, kind, target, p);
  const body = requestBody(kind, pod, faultId, p, {} as FaultContext);
  try {
    await submit(k, kind, pod, body);
  } finally {
    await withdraw(k, pod.namespace, body.metadata.name);
  }
}

/**
 * A pod kind applied by the node agent: `kind` and its params become a FaultRequest (see {@link agentAsk}).
 *
 * @example
 * export const podLossDriver = podAgentDriver('pod.loss', lossParams, "drop a pod's packets");
 */
export function podAgentDriver<P extends JsonObject>(
  kind: PodAgentKind,
  params: z.ZodType<P>,
  summary: string,
): FaultDriver<P> {
  return {
    kind,
    summary,
    params,
    targets: ['pod'],
    resolveTargets: (q) => resolvePods(q),
    async inject(target, p, ctx) {
      const { pod, k } = podOf(target);
      const faultId = faultIdOf(ctx, kind, target, p);
      const body = requestBody(kind, pod, faultId, p, ctx);
      const state: PodAgentState = { request: body.metadata.name, namespace: pod.namespace, node: pod.node };
      body.spec.lease = await holdLease(k, pod.namespace);
      try {
        await submit(k, kind, pod, body);
        return state;
      } catch (err) {
        await dropLease(k, pod.namespace);
        throw err;
      }
    },
    async detach(fault) {
      const { k } = podOf(fault.target);
      const s = stateOf(fault);
      // Merge patch: null removes the lease, so the agent no longer ties the fault to this runner's life.
      await k.call({ verb: 'patch', resource: plural, group, namespace: s.namespace, name: s.request }, () =>
        k.custom.patchNamespacedCustomObject(
          {
            group,
            version,
            plural,
            namespace: s.namespace,
            name: s.request,
            body: { spec: { lease: null, detached: true } },
          },
          mergePatch,
        ),
      );
      await dropLease(k, s.namespace, true);
    },
    async verify(fault) {
      const { k } = podOf(fault.target);
      const s = stateOf(fault);
      return (await readRequest(k, s.namespace, s.request))?.status?.phase === 'Applied';
    },
    async revert(fault) {
      const { k } = podOf(fault.target);
      const s = stateOf(fault);
      if (!(await withdraw(k, s.namespace, s.request))) {
        throw new TurbulenceError(
          ErrorCodes.FAULT_REVERT_FAILED,
          `the agent on node ${s.node} did not confirm the revert of FaultRequest ${s.namespace}/${s.request} within ${agentTimeoutMs() / 1000}s`,
          {
            hint: `is the agent running on ${s.node}? When it starts again it reverts what its ledger holds; the request waits for it (finalizer ${AGENT_FINALIZER})`,
          },
        );
      }
      await dropLease(k, s.namespace);
    },
  };
}

/** `pod.partition`. */
export const podPartitionDriver = podAgentDriver(
  'pod.partition',
  partitionParams,
  "cut a pod off from its peers (or everyone), inside the pod's network namespace, through the node agent",
);
/** `pod.loss`. */
export const podLossDriver = podAgentDriver(
  'pod.loss',
  lossParams,
  "drop a random percentage of a pod's packets, through the node agent",
);
/** `pod.latency`. */
export const podLatencyDriver = podAgentDriver(
  'pod.latency',
  latencyParams as unknown as z.ZodType<JsonObject>,
  "delay a pod's packets, through the node agent",
);
/** `pod.bandwidth`. */
export const podBandwidthDriver = podAgentDriver(
  'pod.bandwidth',
  bandwidthParams,
  "limit a pod's bandwidth, through the node agent",
);
/** `pod.dns-block`. */
export const podDnsBlockDriver = podAgentDriver(
  'pod.dns-block',
  dnsBlockParams,
  "drop a pod's outgoing DNS queries, through the node agent",
);
