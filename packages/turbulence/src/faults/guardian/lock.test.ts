import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTimeOfSync } from '../../os/proc.js';
import { acquireLock, lockHeld, readLock, releaseLock } from './lock.js';

describe.skipIf(process.platform !== 'linux')('the guardian lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tb-lock-'));
    file = join(dir, 'guardian.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds pid and start time, and is re-entrant for its holder', async () => {
    expect(await acquireLock(file)).toBe(true);
    expect(await readLock(file)).toEqual({ pid: process.pid, startTime: startTimeOfSync(process.pid) });
    expect(await lockHeld(file)).toBe(true);
    expect(await acquireLock(file)).toBe(true);
    await releaseLock(file);
    expect(await lockHeld(file)).toBe(false);
  });

  it('is refused while a live process holds it', async () => {
    const parent = process.ppid;
    writeFileSync(file, JSON.stringify({ pid: parent, startTime: startTimeOfSync(parent) }));
    expect(await acquireLock(file)).toBe(false);
    await releaseLock(file); // not ours: left alone
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: parent });
  });

  it('takes over a stale lock: a dead holder, or a recycled pid', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(file, JSON.stringify({ pid: Number(dead.stdout), startTime: '1' }));
    expect(await acquireLock(file)).toBe(true);
    await releaseLock(file);
    writeFileSync(file, JSON.stringify({ pid: process.ppid, startTime: 'not-its-start-time' }));
    expect(await acquireLock(file)).toBe(true);
    expect((await readLock(file))?.pid).toBe(process.pid);
  });

  it('lets only one of many concurrent live contenders win over a stale lock', async () => {
    writeFileSync(file, JSON.stringify({ pid: 999_999_999, startTime: '1' }));
    const lockUrl = JSON.stringify(new URL('./lock.ts', import.meta.url).href);
    // Each contender prints whether it won, then stays alive (a dead winner's lock would be stale again).
    const script = `import(${lockUrl}).then(async (m) => { process.stdout.write(String(await m.acquireLock(${JSON.stringify(file)}))); setTimeout(() => {}, 30000); })`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    try {
      const runs = await Promise.all(
        children.map((c) => new Promise<string>((resolve) => c.stdout.once('data', (d: Buffer) => resolve(String(d))))),
      );
      expect(runs.filter((r) => r === 'true')).toHaveLength(1);
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  }, 30_000);
});
