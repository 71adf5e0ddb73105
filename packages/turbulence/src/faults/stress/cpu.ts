/**
 * `stress.cpu`: keeps `workers` CPUs busy at `load` percent (a noisy neighbour).
 *
 * @example
 * { kind: 'stress.cpu', target: { host: true }, params: { workers: 2, load: 80 }, durationMs: 30000 }
 */
import { stressDriver } from './driver.js';
import { cpuStressParams as params } from './schema.js';

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
