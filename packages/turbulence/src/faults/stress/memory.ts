/**
 * `stress.memory`: allocates and holds `size` bytes (touching every page), squeezing the page cache and neighbours.
 *
 * @example
 * { kind: 'stress.memory', target: { host: true }, params: { size: '512MiB' }, durationMs: 30000 }
 */
import { stressDriver } from './driver.js';
import { memoryStressParams as params } from './schema.js';

export const memoryStressDriver = stressDriver({
  kind: 'stress.memory',
  summary: 'allocate and hold memory (stress-ng --vm or a Node process)',
  params,
  engines: ['node', 'stress-ng'],
  args: (p, engine) =>
    engine === 'node'
      ? ['memory', '--bytes', String(p.size)]
      : ['--vm', '1', '--vm-bytes', String(p.size), '--vm-keep', '--timeout', '86400'],
});
