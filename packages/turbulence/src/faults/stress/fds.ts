/**
 * `stress.fds`: opens and holds `count` file descriptors in a process of its own (file-table pressure; pair it
 * with a low `ulimit -n` to exhaust a neighbour's limit).
 *
 * @example
 * { kind: 'stress.fds', target: { host: true }, params: { count: 10000 } }
 */
import { stressDriver } from './driver.js';
import { fdsParams as params } from './schema.js';

export const fdsStressDriver = stressDriver({
  kind: 'stress.fds',
  summary: 'open and hold many file descriptors',
  params,
  engines: ['node'],
  args: (p) => ['fds', '--count', String(p.count)],
});
