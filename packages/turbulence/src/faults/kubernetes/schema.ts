/**
 * @module Schemas of the Kubernetes family (pure, see `../kind-schema.ts`): kinds `pod.*`, `node.*`, `workload.*`.
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';
import { nodeQuerySchema, podQuerySchema, workloadQuerySchema } from '../../targets/queries.js';
import { bandwidthParams, dnsBlockParams, lossParams, partitionParams } from '../network/schema.js';
import { latencyParams } from '../network/latency-types.js';

/** Params of `pod.delete`. */
export const podDeleteParams = z
  .object({
    /** Seconds the pod gets to shut down (default 0: killed at once, like PowerfulSeal's kill). */
    gracePeriod: z.number().int().min(0).default(0),
    /** Also remove it from the API at once (kubectl's --force --grace-period=0). */
    force: z.boolean().default(false),
  })
  .strict();

/** Params of `pod.evict` (the Eviction API: PodDisruptionBudgets are honoured). */
export const podEvictParams = z.object({ gracePeriod: z.number().int().min(0).optional() }).strict();

/** Params of `pod.container-kill`. */
export const containerKillParams = z
  .object({
    /** Container name (default: the pod's first container). */
    container: z.string().min(1).optional(),
    /** Signal sent to the container's PID 1. */
    signal: z
      .string()
      .regex(/^(SIG)?[A-Z0-9]+$/, { message: 'a signal name like SIGKILL or TERM' })
      .default('SIGKILL'),
  })
  .strict();

/** Params of `node.cordon`, `node.uncordon` (none). */
export const noParams = z.object({}).strict();

/** Params of `node.drain`. */
export const drainParams = z
  .object({
    /** Refuse (before cordoning) to drain a node holding more evictable pods than this. */
    maxPods: z.number().int().positive().optional(),
    /** Grace period of each eviction, seconds (default: each pod's own). */
    gracePeriod: z.number().int().min(0).optional(),
    /** Evict pods that no controller will bring back (kubectl drain --force). */
    force: z.boolean().default(false),
  })
  .strict();

/** Params of `node.taint`. */
export const taintParams = z
  .object({
    key: z.string().min(1).default('turbulence.io/fault'),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).default('NoSchedule'),
  })
  .strict();

/** Params of `workload.scale`. */
export const scaleParams = z.object({ replicas: z.number().int().min(0) }).strict();

const pod = { target: podQuerySchema, targetTypes: ['pod'] } as const;
const node = { target: nodeQuerySchema, targetTypes: ['node'] } as const;
const web = { namespace: 'default', selector: 'app=web' };

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  { kind: 'pod.delete', params: podDeleteParams, ...pod, example: { target: web, params: { gracePeriod: 0 } } },
  { kind: 'pod.evict', params: podEvictParams, ...pod, example: { target: web } },
  {
    kind: 'pod.container-kill',
    params: containerKillParams,
    ...pod,
    example: { target: web, params: { container: 'web', signal: 'SIGKILL' } },
  },
  { kind: 'node.cordon', params: noParams, ...node, example: { target: { name: 'node-1' }, duration: '60s' } },
  { kind: 'node.uncordon', params: noParams, ...node, example: { target: { name: 'node-1' } } },
  {
    kind: 'node.drain',
    params: drainParams,
    ...node,
    example: { target: { name: 'node-1' }, params: { maxPods: 20 }, duration: '2m' },
  },
  {
    kind: 'node.taint',
    params: taintParams,
    ...node,
    example: {
      target: { name: 'node-1' },
      params: { key: 'chaos', value: 'on', effect: 'NoSchedule' },
      duration: '60s',
    },
  },
  {
    kind: 'workload.scale',
    params: scaleParams,
    target: workloadQuerySchema,
    targetTypes: ['workload'],
    example: { target: { namespace: 'default', name: 'deployment/web' }, params: { replicas: 1 }, duration: '60s' },
  },
  // Pod network kinds: the network family's params, applied inside the pod by the node agent (pod-network.ts).
  { kind: 'pod.partition', params: partitionParams, ...pod, example: { target: web, params: {}, duration: '30s' } },
  { kind: 'pod.loss', params: lossParams, ...pod, example: { target: web, params: { percent: 30 }, duration: '30s' } },
  {
    kind: 'pod.latency',
    params: latencyParams,
    ...pod,
    example: { target: web, params: { delay: '200ms' }, duration: '30s' },
  },
  {
    kind: 'pod.bandwidth',
    params: bandwidthParams,
    ...pod,
    example: { target: web, params: { rate: '1mbit' }, duration: '30s' },
  },
  { kind: 'pod.dns-block', params: dnsBlockParams, ...pod, example: { target: web, params: {}, duration: '30s' } },
];
