/**
 * `limit.pids`: caps how many processes and threads a process tree may have; fork and thread creation then fail
 * with EAGAIN.
 *
 * @example
 * { kind: 'limit.pids', target: { managed: 'worker' }, params: { max: 10 } }
 */
import { cgroupDriver } from './driver.js';
import { pidsLimitParams as params } from './schema.js';

export const pidsLimitDriver = cgroupDriver({
  kind: 'limit.pids',
  summary: 'cap the number of processes/threads of a process tree (fork fails with EAGAIN)',
  params,
  inPlace: true,
  controller: { v1: 'pids', v2: 'pids' },
  settings: (p) => [['pids.max', String(p.max)]],
});
