/**
 * `stress.disk-fill`: writes a file of `size` bytes into a private directory inside `path` (a directory) and keeps
 * it until revert, which deletes it. Applications then see a fuller (or full: ENOSPC) disk.
 *
 * @example
 * { kind: 'stress.disk-fill', target: { host: true }, params: { path: '/var/lib/app', size: '2GiB' } }
 */
import { statfs } from 'node:fs/promises';
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

/**
 * Bytes to write into `dir` so that its filesystem is `percent` % full (0 when it is already that full; at most
 * what is free). `pod.disk-fill` with `percent` turns into `stress.disk-fill` with this size.
 *
 * @example
 * await bytesToFill('/var/lib/app', 90); // 1234567890
 */
export async function bytesToFill(dir: string, percent: number): Promise<number> {
  const s = await statfs(dir);
  const total = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  return Math.max(0, Math.min(Math.ceil((total * percent) / 100) - used, s.bfree * s.bsize));
}
