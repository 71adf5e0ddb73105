/**
 * @module Schemas of the Kubernetes family (pure, see `../kind-schema.ts`): kinds `pod.*`, `node.*`, `workload.*`.
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';
import { nodeQuerySchema, podQuerySchema, workloadQuerySchema } from '../../targets/queries.js';
import { bandwidthParams, dnsBlockParams, lossParams, partitionParams } from '../network/schema.js';
import { latencyParams } from '../network/latency-types.js';
import { cpuLimitParams, memoryLimitParams, pidsLimitParams } from '../limit/schema.js';
import { sizeParam } from '../limit/size.js';
import { engineParam } from '../stress/params.js';
import { cpuStressParams, ioStressParams, memoryStressParams } from '../stress/schema.js';

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
    /**
     * How the signal gets there: `agent` (the turbulence agent on the pod's node signals the container's process,
     * found through /proc; works in any image), `exec` (`kill` run in the container through pods/exec: no agent
     * needed, but the image needs a `kill` binary), `auto` (the agent when one runs on the pod's node, else exec).
     */
    via: z.enum(['auto', 'agent', 'exec']).default('auto'),
  })
  .strict();

/** The container a pod fault acts on inside the pod (default: the pod's first container). */
const containerParam = z.string().min(1).optional();

/**
 * Params of `pod.stress`: the stress family's load (stress.cpu, stress.memory or stress.io), run by the agent in
 * the container's cgroups, so it counts against the pod's own requests and limits.
 */
export const podStressParams = z
  .object({
    /** What to stress: `cpu` (workers at a load %), `memory` (hold `size` bytes), `io` (write+fsync loop in `path`). */
    stressor: z.enum(['cpu', 'memory', 'io']),
    /** cpu: busy workers (default 1); io: writers (default 1). */
    workers: cpuStressParams.shape.workers.unwrap().optional(),
    /** cpu only: percent load of each worker (default 100). */
    load: cpuStressParams.shape.load.unwrap().optional(),
    /** memory only (required there): bytes to hold, e.g. 256MiB. */
    size: memoryStressParams.shape.size.optional(),
    /** io only: a directory inside the container (default /tmp). */
    path: ioStressParams.shape.path.unwrap().optional(),
    /** io only: bytes per write (default 4MiB). */
    chunk: ioStressParams.shape.chunk.unwrap().optional(),
    engine: engineParam,
    container: containerParam,
  })
  .strict()
  .superRefine((p, ctx) => {
    const only: Record<string, readonly string[]> = {
      workers: ['cpu', 'io'],
      load: ['cpu'],
      size: ['memory'],
      path: ['io'],
      chunk: ['io'],
    };
    for (const [key, stressors] of Object.entries(only)) {
      if ((p as Record<string, unknown>)[key] !== undefined && !stressors.includes(p.stressor))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} applies to stressor ${stressors.join(' or ')}, not ${p.stressor}`,
        });
    }
    if (p.stressor === 'memory' && p.size === undefined)
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'stressor memory needs size, e.g. 256MiB' });
    if (p.stressor === 'io' && p.workers !== undefined && p.workers > 64)
      ctx.addIssue({ code: 'custom', path: ['workers'], message: 'stressor io takes at most 64 workers' });
  });

/** Params of `pod.limit-cpu`: limit.cpu's, written on the container's own cgroup. */
export const podLimitCpuParams = cpuLimitParams.extend({ container: containerParam });
/** Params of `pod.limit-memory`: limit.memory's, written on the container's own cgroup. */
export const podLimitMemoryParams = memoryLimitParams.extend({ container: containerParam });
/** Params of `pod.limit-pids`: limit.pids's, written on the container's own cgroup. */
export const podLimitPidsParams = pidsLimitParams.extend({ container: containerParam });

/**
 * Params of `pod.disk-fill`: a file in a directory of the container's own filesystem (its mount namespace),
 * either `size` bytes or until the filesystem is `percent` % full.
 */
export const podDiskFillParams = z
  .object({
    /** A directory inside the container (default /tmp). */
    path: z.string().min(1).default('/tmp'),
    /** Bytes to write, e.g. 1GiB. */
    size: sizeParam.optional(),
    /** Fill until the filesystem holding `path` is this full (1-100; 100: until no space is left). */
    percent: z.number().min(1).max(100).optional(),
    container: containerParam,
  })
  .strict()
  .refine((p) => (p.size === undefined) !== (p.percent === undefined), {
    message: 'give exactly one of size (e.g. 1GiB) or percent (e.g. 90)',
  });

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
  // Pod resource kinds: the stress and limit families, applied to the container's process and cgroups by the agent.
  {
    kind: 'pod.stress',
    params: podStressParams,
    ...pod,
    example: { target: web, params: { stressor: 'cpu', workers: 1, load: 80 }, duration: '60s' },
  },
  {
    kind: 'pod.limit-cpu',
    params: podLimitCpuParams,
    ...pod,
    example: { target: web, params: { percent: 20 }, duration: '60s' },
  },
  {
    kind: 'pod.limit-memory',
    params: podLimitMemoryParams,
    ...pod,
    example: { target: web, params: { max: '64MiB' }, duration: '60s' },
  },
  {
    kind: 'pod.limit-pids',
    params: podLimitPidsParams,
    ...pod,
    example: { target: web, params: { max: 20 }, duration: '60s' },
  },
  {
    kind: 'pod.disk-fill',
    params: podDiskFillParams,
    ...pod,
    example: { target: web, params: { path: '/tmp', percent: 90 }, duration: '60s' },
  },
];
