/**
 * `stress.io`: keeps a disk busy writing, syncing and reading files in a private directory inside `path`.
 *
 * @example
 * { kind: 'stress.io', target: { host: true }, params: { path: '/tmp', workers: 2 } }
 */
import { z } from 'zod';
import { sizeParam } from '../limit/size.js';
import { stressDriver } from './driver.js';
import { engineParam } from './params.js';

const params = z
  .object({
    path: z.string().min(1).default('/tmp'),
    workers: z.number().int().min(1).max(64).default(1),
    chunk: sizeParam.default(4 * 1024 * 1024),
    engine: engineParam,
  })
  .strict();

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
