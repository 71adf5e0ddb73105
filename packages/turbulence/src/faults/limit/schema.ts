/**
 * @module Schemas of the `limit` family (pure, see `../kind-schema.ts`): the process target query of resource
 * faults (a lab service, or any `process.*` query) and each kind's params.
 */
import { z } from 'zod';
import type { KindSchema } from '../kind-schema.js';
import { cgroupQuerySchema, labServiceQuerySchema, processQuerySchema } from '../../targets/queries.js';
import { sizeParam } from './size.js';

export { labServiceQuerySchema };

/** The target query of resource faults: a lab service or a process query. */
export const processTargetSchema = z.union([labServiceQuerySchema, processQuerySchema]);

/** Params of `limit.cpu`. */
export const cpuLimitParams = z.object({ percent: z.number().min(1).max(6400) }).strict();

/** Params of `limit.io`. */
export const ioLimitParams = z
  .object({
    /** `major:minor`, or a block device path like /dev/vda. */
    device: z.string().min(1),
    readBps: sizeParam.optional(),
    writeBps: sizeParam.optional(),
  })
  .strict()
  .refine((p) => p.readBps !== undefined || p.writeBps !== undefined, { message: 'give readBps, writeBps or both' });

/** Params of `limit.memory`. */
export const memoryLimitParams = z.object({ max: sizeParam }).strict();

/** Params of `limit.pids`. */
export const pidsLimitParams = z.object({ max: z.number().int().min(1) }).strict();

const base = { target: processTargetSchema, targetTypes: ['process'] } as const;
/** limit.cpu, limit.memory, limit.pids also take a whole cgroup, changed in place (`targets/cgroup.ts`). */
const inPlace = {
  target: z.union([labServiceQuerySchema, processQuerySchema, cgroupQuerySchema]),
  targetTypes: ['process', 'cgroup'],
} as const;
const svc = { lab: 'demo', host: 'app', service: 'api' };

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  { kind: 'limit.cpu', params: cpuLimitParams, ...inPlace, example: { target: svc, params: { percent: 20 } } },
  {
    kind: 'limit.io',
    params: ioLimitParams,
    ...base,
    example: { target: { pid: 4242 }, params: { device: '8:0', writeBps: '1MiB' } },
  },
  { kind: 'limit.memory', params: memoryLimitParams, ...inPlace, example: { target: svc, params: { max: '64MiB' } } },
  {
    kind: 'limit.pids',
    params: pidsLimitParams,
    ...inPlace,
    example: { target: { managed: 'worker' }, params: { max: 10 } },
  },
];
