/**
 * `stress.cpu`: keeps `workers` CPUs busy at `load` percent (a noisy neighbour).
 *
 * @example
 * { kind: 'stress.cpu', target: { host: true }, params: { workers: 2, load: 80 }, durationMs: 30000 }
 */
import { z } from 'zod';
import { stressDriver } from './driver.js';
import { engineParam } from './params.js';

const params = z
  .object({
    workers: z.number().int().min(1).max(256).default(1),
    load: z.number().min(1).max(100).default(100),
    engine: engineParam,
  })
  .strict();

export const cpuStressDriver = stressDriver({
  kind: 'stress.cpu',
  summary: 'burn CPU: N workers at a load percentage (stress-ng or Node worker threads)',
  params,
  engines: ['stress-ng', 'node'],
  args: (p, engine) =>
    engine === 'node'
      ? ['cpu', '--workers', String(p.workers), '--load', String(p.load)]
      : ['--cpu', String(p.workers), '--cpu-load', String(p.load), '--timeout', '86400'],
});
