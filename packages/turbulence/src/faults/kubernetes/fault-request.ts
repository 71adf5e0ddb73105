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

/** The `spec` of a FaultRequest. */
export interface FaultRequestSpec {
  /** The runner's fault id (its ledger id); the agent names its objects from it. */
  faultId: string;
  /** A network family kind, e.g. `network.partition`. */
  kind: string;
  params: Record<string, unknown>;
  node: string;
  pod: { namespace: string; name: string; uid: string };
  /** Milliseconds after which the agent reverts by itself (absent: only on deletion or lease expiry). */
  durationMs?: number;
  /** The runner's Lease: not renewed within its `leaseDurationSeconds`, the agent reverts. */
  lease: { namespace: string; name: string };
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
                  required: ['faultId', 'kind', 'node', 'pod', 'lease'],
                  properties: {
                    faultId: str,
                    kind: str,
                    params: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    node: str,
                    pod: {
                      type: 'object',
                      properties: { namespace: str, name: str, uid: str },
                    },
                    durationMs: { type: 'integer' },
                    lease: { type: 'object', properties: { namespace: str, name: str } },
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
