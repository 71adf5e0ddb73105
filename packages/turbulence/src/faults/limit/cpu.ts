/**
 * `limit.cpu`: caps a process's CPU time through the CFS quota (100 = one full core, 20 = a fifth of one).
 *
 * @example
 * { kind: 'limit.cpu', target: { pid: 4242 }, params: { percent: 20 } }
 */
import { cgroupDriver } from './driver.js';
import { cpuLimitParams as params } from './schema.js';

const PERIOD_US = 100_000;
export const cpuLimitDriver = cgroupDriver({
  kind: 'limit.cpu',
  summary: 'cap CPU time of a process (CFS quota; 100 = one core)',
  params,
  inPlace: true,
  controller: { v1: 'cpu', v2: 'cpu' },
  settings: (p, v) => {
    const quota = String(Math.round((PERIOD_US * p.percent) / 100));
    return v === 2
      ? [['cpu.max', `${quota} ${PERIOD_US}`]]
      : [
          ['cpu.cfs_period_us', String(PERIOD_US)],
          ['cpu.cfs_quota_us', quota],
        ];
  },
});
