/**
 * `cgroup.freeze`: freezes every thread of a process (and its children) through the cgroup freezer; unlike
 * SIGSTOP the process cannot notice or catch it. Thawed on revert.
 *
 * (The issue calls it `process.freeze`; the `process` family belongs to the signal-based process faults, so this
 * kind lives in its own `cgroup` family.)
 *
 * @example
 * { kind: 'cgroup.freeze', target: { lab: 'etcd', host: 'n1', service: 'etcd' }, durationMs: 10000 }
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDriver } from '../limit/driver.js';
import { freezeParams } from './schema.js';

export const freezeDriver = cgroupDriver({
  kind: 'cgroup.freeze',
  summary: 'freeze a process and its children with the cgroup freezer (thawed on revert)',
  params: freezeParams,
  controller: { v1: 'freezer', v2: 'freeze' },
  settings: (_p, v) => [v === 2 ? ['cgroup.freeze', '1'] : ['freezer.state', 'FROZEN']],
  release: (v) => [v === 2 ? ['cgroup.freeze', '0'] : ['freezer.state', 'THAWED']],
  verify: (dir, v) =>
    v === 2
      ? readFileSync(join(dir, 'cgroup.events'), 'utf8').includes('frozen 1')
      : // v1 freezes asynchronously: FREEZING until every task stopped (seconds on a loaded machine).
        ['FROZEN', 'FREEZING'].includes(readFileSync(join(dir, 'freezer.state'), 'utf8').trim()),
});
