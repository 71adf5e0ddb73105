/**
 * @module Schemas of the `container` family (pure, see `../kind-schema.ts`): the container target query shared by
 * every `container.*` kind, the lifecycle kinds' params, and the network kinds, whose params are the network
 * family's own (peers may also name containers).
 */
import { z } from 'zod';
import { containerQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';
import { bandwidthParams, blackholeParams, dnsBlockParams, lossParams, partitionParams } from '../network/schema.js';
import { latencyParams } from '../network/latency-types.js';
import { signalSchema } from '../process/schema.js';
import { sizeParam } from '../limit/size.js';

export { containerQuerySchema };

/** Seconds the Engine waits after SIGTERM before SIGKILL (stop, restart). */
const graceSeconds = z.number().int().min(0).max(3600);

/** Params of `container.kill`. */
export const killParams = z
  .object({
    /** Any signal name or number; default SIGKILL. */
    signal: signalSchema.default('SIGKILL'),
    /** Revert starts the container again. */
    restart: z.boolean().default(false),
  })
  .strict();

/** Params of `container.stop`. */
export const stopParams = z.object({ timeout: graceSeconds.default(5) }).strict();

/** Params of `container.pause`. */
export const pauseParams = z.object({}).strict();

/** Params of `container.restart`. */
export const restartParams = z.object({ timeout: graceSeconds.default(1) }).strict();

/** Params of `container.remove`: Pumba's defaults, and the explicit opt-in that an irreversible fault needs. */
export const removeParams = z
  .object({
    force: z.boolean().default(true),
    volumes: z.boolean().default(true),
    links: z.boolean().default(false),
    /** Must be true: a removed container cannot be brought back. */
    irreversible: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.irreversible, {
    message:
      'container.remove cannot be undone: opt in with params irreversible: true (CLI: --param irreversible=true, or `turbulence docker rm`)',
    path: ['irreversible'],
  });

/** Params of `container.stress`: stress-ng arguments, as Pumba's `--stressors` takes them. */
export const stressParams = z
  .object({
    stressors: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .transform((v) => (Array.isArray(v) ? v : v.split(/\s+/).filter((w) => w.length > 0)))
      .default(['--cpu', '1'])
      .refine((words) => words[0]?.startsWith('--') === true, {
        message: 'stressors are stress-ng arguments starting with an option, e.g. "--cpu 2 --vm 1 --vm-bytes 64M"',
      }),
  })
  .strict();

/** Params of `container.limit-cpu`: percent of one CPU (100 = one full CPU, 250 = two and a half). */
export const limitCpuParams = z.object({ percent: z.number().min(1).max(6400) }).strict();

/** Params of `container.limit-pids`: the most processes the container may have. */
export const limitPidsParams = z.object({ max: z.number().int().min(1) }).strict();

/**
 * Params of `container.limit-memory`: the memory cap (`64MiB`, `512m`, bytes) and the swap allowed on top of it
 * (default none: the cap is a hard cap, as with `docker update --memory X --memory-swap X`).
 */
export const limitMemoryParams = z
  .object({
    max: sizeParam.refine((n) => n >= 1024 * 1024, { message: 'at least 1MiB (e.g. 64MiB)' }),
    swap: sizeParam.default(0),
  })
  .strict();

/**
 * Params of `container.exec`: a command as argv (never through a shell; use `["sh", "-c", "..."]` to want one),
 * run like `docker exec` (Pumba's `exec`), waited for up to `timeout` seconds unless `detach`.
 */
export const execParams = z
  .object({
    /** argv: the program and its arguments, e.g. ["kill", "-TERM", "1"]. */
    command: z
      .union([z.array(z.string().min(1)).min(1), z.string().min(1)])
      .transform((v) => (Array.isArray(v) ? v : v.split(/\s+/).filter((w) => w.length > 0))),
    /** User inside the container (Pumba runs as root). */
    user: z.string().min(1).default('root'),
    privileged: z.boolean().default(false),
    /** Start it and return without waiting for it to end. */
    detach: z.boolean().default(false),
    /** Seconds to wait for the command to end (not with detach). */
    timeout: z.number().int().min(1).max(3600).default(60),
  })
  .strict();

/** The network kinds run inside a container's namespace with the network family's drivers: kind → inner kind. */
export const networkKinds = {
  'container.partition': 'network.partition',
  'container.loss': 'network.loss',
  'container.blackhole': 'network.blackhole',
  'container.dns-block': 'network.dns-block',
  'container.bandwidth': 'network.bandwidth',
  'container.latency': 'network.latency',
} as const;

const base = { target: containerQuerySchema, targetTypes: ['container'] } as const;
const web = { name: 'web-1' };
const net = (kind: keyof typeof networkKinds, params: z.ZodType, example: Record<string, unknown>): KindSchema => ({
  kind,
  params,
  ...base,
  example: { target: { label: 'app=web' }, params: example as never, duration: '30s' },
});

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  { kind: 'container.kill', params: killParams, ...base, example: { target: web, params: { signal: 'SIGTERM' } } },
  { kind: 'container.stop', params: stopParams, ...base, example: { target: web, duration: '10s' } },
  { kind: 'container.pause', params: pauseParams, ...base, example: { target: web, duration: '10s' } },
  { kind: 'container.restart', params: restartParams, ...base, example: { target: web } },
  {
    kind: 'container.remove',
    params: removeParams,
    ...base,
    example: { target: web, params: { irreversible: true } },
  },
  {
    kind: 'container.exec',
    params: execParams,
    ...base,
    example: { target: web, params: { command: ['kill', '-TERM', '1'] } },
  },
  {
    kind: 'container.stress',
    params: stressParams,
    ...base,
    example: { target: web, params: { stressors: '--cpu 2 --vm 1 --vm-bytes 64M' }, duration: '30s' },
  },
  {
    kind: 'container.limit-cpu',
    params: limitCpuParams,
    ...base,
    example: { target: web, params: { percent: 20 }, duration: '30s' },
  },
  {
    kind: 'container.limit-pids',
    params: limitPidsParams,
    ...base,
    example: { target: web, params: { max: 20 }, duration: '30s' },
  },
  {
    kind: 'container.limit-memory',
    params: limitMemoryParams,
    ...base,
    example: { target: web, params: { max: '64MiB' }, duration: '30s' },
  },
  net('container.partition', partitionParams, { peers: ['client'] }),
  net('container.loss', lossParams, { percent: 30 }),
  net('container.blackhole', blackholeParams, { ports: [5432] }),
  net('container.dns-block', dnsBlockParams, {}),
  net('container.bandwidth', bandwidthParams, { rate: '1mbit' }),
  net('container.latency', latencyParams, { delay: '200ms' }),
];
