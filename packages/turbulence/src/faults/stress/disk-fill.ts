/**
 * `stress.disk-fill`: writes a file of `size` bytes into a private directory inside `path` (a directory) and keeps
 * it until revert, which deletes it. Applications then see a fuller (or full: ENOSPC) disk.
 *
 * @example
 * { kind: 'stress.disk-fill', target: { host: true }, params: { path: '/var/lib/app', size: '2GiB' } }
 */
import { join } from 'node:path';
import { stressDriver } from './driver.js';
import { diskFillParams as params } from './schema.js';

export const diskFillDriver = stressDriver({
  kind: 'stress.disk-fill',
  summary: 'fill a filesystem with a file of the given size (deleted on revert)',
  params,
  engines: ['node'],
  workdir: (p) => p.path,
  args: (p, _e, _tag, dir) => ['disk-fill', '--file', join(dir, 'fill'), '--bytes', String(p.size)],
});
