/**
 * `stress.io`: keeps a disk busy writing, syncing and reading files in a private directory inside `path`.
 *
 * @example
 * { kind: 'stress.io', target: { host: true }, params: { path: '/tmp', workers: 2 } }
 */
import { stressDriver } from './driver.js';
import { ioStressParams as params } from './schema.js';

export const ioStressDriver = stressDriver({
  kind: 'stress.io',
  summary: 'keep a disk busy with write+fsync+read loops (stress-ng --iomix or Node)',
  params,
  engines: ['stress-ng', 'node'],
  workdir: (p) => p.path,
  args: (p, engine, _tag, dir) =>
    engine === 'node'
      ? ['io', '--dir', dir, '--bytes', String(p.chunk)]
      : ['--iomix', String(p.workers), '--temp-path', dir, '--timeout', '86400'],
});
