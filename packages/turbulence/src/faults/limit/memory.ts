/**
 * `limit.memory`: caps a process's memory through its cgroup; going over it OOM-kills the process, as in
 * production under a container limit.
 *
 * @example
 * { kind: 'limit.memory', target: { lab: 'demo', host: 'app' }, params: { max: '64MiB' } }
 */
import { cgroupDriver } from './driver.js';
import { memoryLimitParams as params } from './schema.js';

export const memoryLimitDriver = cgroupDriver({
  kind: 'limit.memory',
  summary: 'cap memory of a process through its cgroup (over the cap: OOM kill)',
  params,
  inPlace: true,
  controller: { v1: 'memory', v2: 'memory' },
  settings: (p, v) => [v === 2 ? ['memory.max', String(p.max)] : ['memory.limit_in_bytes', String(p.max)]],
});
