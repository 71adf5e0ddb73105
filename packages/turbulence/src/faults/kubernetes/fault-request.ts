/**
 * @module The runner ↔ agent transport: Kubernetes objects only (see `docs/kubernetes.md`, "The agent").
 *
 *   runner                                   API server                       agent on the pod's node
 *   renew Lease turbulence-runner-<id> ───▶  coordination.k8s.io Lease  ◀─── watched: not renewed in time → revert
 *   create FaultRequest (finalizer)   ───▶  turbulence.io FaultRequest ◀─── watch (label turbulence.io/node=NODE)
 *                                                                           apply → status Applied / Failed
 *   delete FaultRequest               ───▶  deletionTimestamp set      ◀─── revert → status Reverted, finalizer off
 *
 * Names and shapes shared by both sides live here (pure: no client, no I/O).
 */
import { objectName } from '../naming.js';

/** API group, version and names of the custom resource. */
export const FAULT_REQUEST = {
  group: 'turbulence.io',
  version: 'v1alpha1',
  plural: 'faultrequests',
  kind: 'FaultRequest',
} as const;

/** Label carrying the node a request is for (the agent lists with it). */
export const NODE_LABEL = 'turbulence.io/node';

/** Finalizer the runner sets, so a deleted request stays until the agent has reverted it. */
export const AGENT_FINALIZER = 'turbulence.io/agent';

/** The pod network kinds: runner kind → the network family kind the agent applies inside the pod's netns. */
export const POD_NETWORK_KINDS = {
  'pod.partition': 'network.partition',
  'pod.loss': 'network.loss',
  'pod.latency': 'network.latency',
  'pod.bandwidth': 'network.bandwidth',
  'pod.dns-block': 'network.dns-block',
} as const;

export type PodNetworkKind = keyof typeof POD_NETWORK_KINDS;

/** The pod resource kinds: runner kind → what the agent applies to the container's process or cgroups. */
export const POD_RESOURCE_KINDS = {
  'pod.stress': ['stress.cpu', 'stress.memory', 'stress.io'],
  'pod.limit-cpu': ['limit.cpu'],
  'pod.limit-memory': ['limit.memory'],
  'pod.limit-pids': ['limit.pids'],
  'pod.disk-fill': ['stress.disk-fill'],
  'pod.container-kill': ['process.kill'],
} as const;

export type PodResourceKind = keyof typeof POD_RESOURCE_KINDS;
/** Every pod kind the agent applies. */
export type PodAgentKind = PodNetworkKind | PodResourceKind;

/** Every Linux family kind an agent applies, and how it finds the container's side of it. */
export const AGENT_KINDS: ReadonlyMap<string, 'netns' | 'process' | 'cgroup'> = new Map([
  ...Object.values(POD_NETWORK_KINDS).map((k) => [k, 'netns'] as const),
  ...['stress.cpu', 'stress.memory', 'stress.io', 'stress.disk-fill', 'process.kill'].map(
    (k) => [k, 'process'] as const,
  ),
  ...['limit.cpu', 'limit.memory', 'limit.pids'].map((k) => [k, 'cgroup'] as const),
]);

/** What a FaultRequest asks of the agent for one pod kind: the family kind, its params, the container. */
export interface AgentAsk {
  kind: string;
  params: Record<string, unknown>;
  container?: string;
}

/**
 * Translates a pod kind's (parsed) params into the family kind and params the agent applies (pure).
 *
 * @example
 * agentAsk('pod.stress', { stressor: 'cpu', load: 50, engine: 'auto' });
 * // { kind: 'stress.cpu', params: { workers: 1, load: 50, engine: 'auto' } }
 */
export function agentAsk(kind: PodAgentKind, params: Record<string, unknown>): AgentAsk {
  if (kind in POD_NETWORK_KINDS) return { kind: POD_NETWORK_KINDS[kind as PodNetworkKind], params };
  const { container, ...rest } = params as { container?: string } & Record<string, unknown>;
  const withContainer = (ask: AgentAsk): AgentAsk => (container === undefined ? ask : { ...ask, container });
  switch (kind as PodResourceKind) {
    case 'pod.stress': {
      const p = rest as {
        stressor: 'cpu' | 'memory' | 'io';
        workers?: number;
        load?: number;
        size?: number;
        path?: string;
        chunk?: number;
        engine?: string;
      };
      const engine = p.engine ?? 'auto';
      if (p.stressor === 'cpu')
        return withContainer({ kind: 'stress.cpu', params: { workers: p.workers ?? 1, load: p.load ?? 100, engine } });
      if (p.stressor === 'memory') return withContainer({ kind: 'stress.memory', params: { size: p.size, engine } });
      return withContainer({
        kind: 'stress.io',
        params: {
          path: p.path ?? '/tmp',
          workers: p.workers ?? 1,
          ...(p.chunk !== undefined ? { chunk: p.chunk } : {}),
          engine,
        },
      });
    }
    case 'pod.disk-fill':
      return withContainer({ kind: 'stress.disk-fill', params: rest });
    case 'pod.container-kill':
      return withContainer({ kind: 'process.kill', params: { signal: rest.signal } });
    default:
      return withContainer({ kind: POD_RESOURCE_KINDS[kind as PodResourceKind][0], params: rest });
  }
}

/** The `spec` of a FaultRequest. */
export interface FaultRequestSpec {
  /** The runner's fault id (its ledger id); the agent names its objects from it. */
  faultId: string;
  /** A Linux family kind the agent applies (see {@link AGENT_KINDS}), e.g. `network.partition`, `limit.cpu`. */
  kind: string;
  params: Record<string, unknown>;
  node: string;
  pod: { namespace: string; name: string; uid: string };
  /** The container (by name) for process and cgroup kinds (default: the pod's first container). */
  container?: string;
  /**
   * Milliseconds after which the agent reverts by itself, counted from the request's `creationTimestamp`
   * (absent: only on deletion, or when the runner's lease lapses).
   */
  durationMs?: number;
  /**
   * The runner's Lease: not renewed within its `leaseDurationSeconds`, the agent reverts. Absent on a detached
   * request (`fault inject --detach`): that one lives until its duration is over or it is deleted.
   */
  lease?: { namespace: string; name: string };
  /** Set when the runner detached the fault (and took the lease off). */
  detached?: boolean;
}

/** The `status` the agent writes. */
export interface FaultRequestStatus {
  phase: 'Applied' | 'Reverted' | 'Failed';
  message: string;
  /** The agent that wrote it (its node). */
  agent?: string;
  /** RFC 3339 time of the change. */
  time?: string;
}

/** A FaultRequest as the API serves it. */
export interface FaultRequest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string | Date;
  };
  spec: FaultRequestSpec;
  status?: FaultRequestStatus;
}

/** The request's object name for a fault id (a DNS-1123 name: lowercase, digits, `-`, at most 63). */
export function requestName(faultId: string): string {
  return `turbulence-${faultId.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** The name the agent gives a pod's network namespace for one request (`ip netns attach`). */
export function netnsName(faultId: string): string {
  return objectName('tbpod_', faultId).slice(0, 60);
}

/**
 * The CustomResourceDefinition of FaultRequest, the same object as `deploy/kubernetes/faultrequest-crd.yaml`
 * (a test checks they agree).
 */
export function faultRequestCrd(): Record<string, unknown> {
  const str = { type: 'string' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${FAULT_REQUEST.plural}.${FAULT_REQUEST.group}` },
    spec: {
      group: FAULT_REQUEST.group,
      scope: 'Namespaced',
      names: {
        plural: FAULT_REQUEST.plural,
        singular: 'faultrequest',
        kind: FAULT_REQUEST.kind,
        listKind: 'FaultRequestList',
      },
      versions: [
        {
          name: FAULT_REQUEST.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['faultId', 'kind', 'node', 'pod'],
                  properties: {
                    faultId: str,
                    kind: str,
                    params: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    node: str,
                    pod: {
                      type: 'object',
                      properties: { namespace: str, name: str, uid: str },
                    },
                    container: str,
                    durationMs: { type: 'integer' },
                    lease: { type: 'object', properties: { namespace: str, name: str } },
                    detached: { type: 'boolean' },
                  },
                },
                status: {
                  type: 'object',
                  properties: { phase: str, message: str, agent: str, time: str },
                },
              },
            },
          },
        },
      ],
    },
  };
}
