/**
 * `stress.disk-fill`: writes a file of `size` bytes into `path` (a directory) and keeps it until revert, which
 * deletes it. Applications then see a fuller (or full: ENOSPC) disk.
 *
 * @example
 * { kind: 'stress.disk-fill', target: { host: true }, params: { path: '/var/lib/app', size: '2GiB' } }
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { stressDriver } from './driver.js';
import { diskFillParams as params } from './schema.js';

/** The fill file of a fault. */
export const fillFile = (dir: string, tag: string): string => join(dir, `.${tag}.fill`);

export const diskFillDriver = stressDriver({
  kind: 'stress.disk-fill',
  summary: 'fill a filesystem with a file of the given size (deleted on revert)',
  params,
  engines: ['node'],
  args: (p, _e, tag) => ['disk-fill', '--file', fillFile(p.path, tag), '--bytes', String(p.size)],
  cleanup: (p, tag) => rmSync(fillFile(p.path, tag), { force: true }),
});
