/**
 * @module Schemas of the `stress` family (pure, see `../kind-schema.ts`). Targets are network targets (this
 * machine by default, or a lab host's namespace).
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';
import { sizeParam } from '../limit/size.js';
import { networkQuerySchema } from '../network/schema.js';
import { engineParam } from './params.js';

/** Params of `stress.cpu`. */
export const cpuStressParams = z
  .object({
    workers: z.number().int().min(1).max(256).default(1),
    load: z.number().min(1).max(100).default(100),
    engine: engineParam,
  })
  .strict();

/** Params of `stress.io`. */
export const ioStressParams = z
  .object({
    path: z.string().min(1).default('/tmp'),
    workers: z.number().int().min(1).max(64).default(1),
    chunk: sizeParam.default(4 * 1024 * 1024),
    engine: engineParam,
  })
  .strict();

/** Params of `stress.disk-fill`. */
export const diskFillParams = z.object({ path: z.string().min(1), size: sizeParam, engine: engineParam }).strict();

/** Params of `stress.fds`. */
export const fdsParams = z.object({ count: z.number().int().min(1).max(1_000_000), engine: engineParam }).strict();

/** Params of `stress.memory`. */
export const memoryStressParams = z.object({ size: sizeParam, engine: engineParam }).strict();

/** Beside a process: the load in its cgroups, paths in its filesystem (the Kubernetes agent's pod.stress). */
const besideProcess = z.object({ pid: z.coerce.number().int().positive() }).strict();
const base = {
  target: z.union([networkQuerySchema, besideProcess]),
  targetTypes: ['netns', 'process'],
  targetOptional: true,
} as const;
const host = { host: true } as const;

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'stress.cpu',
    params: cpuStressParams,
    ...base,
    example: { target: host, params: { workers: 2, load: 80 }, duration: '30s' },
  },
  {
    kind: 'stress.disk-fill',
    params: diskFillParams,
    ...base,
    example: { target: host, params: { path: '/var/lib/app', size: '2GiB' }, duration: '30s' },
  },
  {
    kind: 'stress.fds',
    params: fdsParams,
    ...base,
    example: { target: host, params: { count: 10000 }, duration: '30s' },
  },
  {
    kind: 'stress.io',
    params: ioStressParams,
    ...base,
    example: { target: host, params: { path: '/tmp', workers: 2 }, duration: '30s' },
  },
  {
    kind: 'stress.memory',
    params: memoryStressParams,
    ...base,
    example: { target: host, params: { size: '512MiB' }, duration: '30s' },
  },
];
