/**
 * The supervisor with real processes: readiness, process-group stop, restart policy, and the process kinds
 * that need it (`process.restart`, `process.kill` with `restart: true`), in-process and from the record alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/rng.js';
import { FaultManager } from '../../../src/faults/manager.js';
import { isSameProcess, listProcs } from '../../../src/os/proc.js';
import { ensureManagedRunning, recoverManaged, restartManaged } from '../../../src/supervisor/managed.js';
import { readRecord, writeRecord, managedSpecSchema } from '../../../src/supervisor/record.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import { eventually } from '../../support/eventually.js';
import { hasProc, killOrphans, spawnOrphan, tempHome } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const server = (port: number) => ({
  command: process.execPath,
  args: ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
  readiness: { http: `http://127.0.0.1:${port}/` },
});

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}

describe.skipIf(!hasProc)('Supervisor and supervised process faults', { timeout: 60_000 }, () => {
  let env: ReturnType<typeof tempHome>;
  let sup: Supervisor;
  const strays: { pid: number; startTime: string }[] = [];
  beforeEach(() => {
    env = tempHome();
    sup = new Supervisor();
  });
  afterEach(async () => {
    await sup.stopAll();
    for (const s of strays.splice(0)) if (await isSameProcess(s.pid, s.startTime)) process.kill(-s.pid, 'SIGKILL');
    await killOrphans();
    env.restore();
  });

  it('starts a process, waits for readiness, records it, and stops its whole process group', async () => {
    const port = await freePort();
    const web = await sup.start({ name: 'web', ...server(port) });
    expect(await get(port)).toBe('ok');
    expect(await readRecord('web')).toMatchObject({ pid: web.pid, startTime: web.startTime, spec: { name: 'web' } });

    const group = await sup.start({ name: 'group', command: 'sh', args: ['-c', 'sleep 300 & wait'] });
    const grandchild = await eventually(async () => (await listProcs()).some((p) => p.ppid === group.pid), 3000);
    expect(grandchild).toBe(true);
    const sleeper = (await listProcs()).find((p) => p.ppid === group.pid)!;
    await sup.stop('group');
    expect(await eventually(async () => !(await isSameProcess(sleeper.pid, sleeper.startTime)))).toBe(true);
    expect(await readRecord('group')).toBeUndefined();
  });

  it('restarts a process that dies when its policy says on-failure', async () => {
    const port = await freePort();
    const first = await sup.start({ name: 'web', ...server(port), restart: 'on-failure' });
    const exited: string[] = [];
    sup.on('exited', (e) => exited.push(`${e.signal}:${e.willRestart}`));
    process.kill(first.pid, 'SIGKILL');
    expect(await eventually(() => (sup.get('web')?.pid ?? first.pid) !== first.pid, 5000)).toBe(true);
    expect(await eventually(async () => (await get(port).catch(() => '')) === 'ok', 5000)).toBe(true);
    expect(exited).toEqual(['SIGKILL:true']);
    expect((await readRecord('web'))?.restarts).toBe(1);
  });

  it('fails start with a clear error when the process exits before it is ready', async () => {
    const port = await freePort();
    await expect(
      sup.start({
        name: 'bad',
        command: 'sh',
        args: ['-c', 'exit 3'],
        readiness: { tcp: { host: '127.0.0.1', port } },
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.UNAVAILABLE, message: expect.stringMatching(/bad exited before/) });
    expect(sup.owns('bad')).toBe(false);
  });

  it('waits for an exec readiness check, as an argv or as the shell command the user wrote', async () => {
    const flag = `${env.home}/ready-flag`;
    const writer = { command: 'sh', args: ['-c', 'sleep 0.3; : > "$1"; exec sleep 300', 'sh', flag] };
    await sup.start({ name: 'argv', ...writer, readiness: { exec: ['test', '-e', flag] }, readyIntervalMs: 20 });
    expect(existsSync(flag)).toBe(true);
    rmSync(flag);
    await sup.start({ name: 'shell', ...writer, readiness: { exec: `test -e '${flag}'` } });
    expect(existsSync(flag)).toBe(true);
    await expect(
      sup.start({ name: 'never', command: 'sleep', args: ['300'], readiness: { exec: 'false' }, readyTimeoutMs: 300 }),
    ).rejects.toMatchObject({ code: ErrorCodes.TIMEOUT, message: expect.stringMatching(/exec false/) });
  });

  it('stops with SIGKILL after stopTimeoutMs when SIGTERM is ignored', async () => {
    const stubborn = await sup.start({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; while :; do sleep 0.1; done'],
      stopTimeoutMs: 300,
    });
    const t0 = Date.now();
    await sup.stop('stubborn');
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await isSameProcess(stubborn.pid, stubborn.startTime)).toBe(false);
  });

  it('process.restart stops and starts a supervised process, and refuses unsupervised ones', async () => {
    const port = await freePort();
    const before = await sup.start({ name: 'web', ...server(port) });
    const faults = new FaultManager({ rng: new Rng(1) });
    const [fault] = await faults.inject({ kind: 'process.restart', target: { managed: 'web' } }, { activity: 't' });
    const after = sup.get('web')!;
    expect(after.pid).not.toBe(before.pid);
    expect(await isSameProcess(before.pid, before.startTime)).toBe(false);
    expect(await get(port)).toBe('ok');
    await faults.revert(fault!.id);
    expect(sup.get('web')?.pid).toBe(after.pid); // already running: revert leaves it alone
    const child = await spawnOrphan(); // a process turbulence did not start
    await expect(
      faults.inject({ kind: 'process.restart', target: { pid: child.pid } }, { activity: 't' }),
    ).rejects.toMatchObject({
      code: ErrorCodes.TARGET_REFUSED,
      message: expect.stringMatching(/only restarts supervised/),
    });
    await faults.revertAll();
  });

  it('process.kill with restart: true kills a supervised process and starts it again on revert', async () => {
    const port = await freePort();
    const before = await sup.start({ name: 'web', ...server(port) });
    const faults = new FaultManager({ rng: new Rng(1) });
    const [fault] = await faults.inject(
      { kind: 'process.kill', target: { managed: 'web' }, params: { restart: true } },
      { activity: 't' },
    );
    expect(await isSameProcess(before.pid, before.startTime)).toBe(false);
    await expect(get(port)).rejects.toThrow();
    await faults.revert(fault!.id);
    expect(await get(port)).toBe('ok');
    expect(sup.get('web')?.pid).not.toBe(before.pid);
  });

  it('restarts a managed process from its record alone, when no supervisor is alive', async () => {
    const port = await freePort();
    const orphan = await spawnOrphan('exec sleep 300');
    const spec = managedSpecSchema.parse({ name: 'solo', ...server(port) });
    await writeRecord({
      spec,
      pid: orphan.pid,
      startTime: orphan.startTime,
      startedAt: new Date().toISOString(),
      restarts: 0,
      log: `${env.home}/managed/solo.log`,
    });
    const next = await restartManaged('solo');
    strays.push(next);
    expect(await isSameProcess(orphan.pid, orphan.startTime)).toBe(false);
    expect(next.pid).not.toBe(orphan.pid);
    expect(await get(port)).toBe('ok');
    expect(await readRecord('solo')).toMatchObject({ pid: next.pid, restarts: 1 });
    expect(await ensureManagedRunning('solo')).toMatchObject({ pid: next.pid });
  });

  it('stops the processes a dead supervisor left behind, and keeps those of a live one', async () => {
    const live = await sup.start({ name: 'mine', command: 'sleep', args: ['300'] });
    const script = fileURLToPath(new URL('./supervise.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'leftover'], { env: process.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      expect(await eventually(() => /ready \d+/.test(out), 20_000)).toBe(true);
      const left = await readRecord('leftover');
      expect(left).toBeDefined();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(await isSameProcess(left!.pid, left!.startTime)).toBe(true); // it survived its supervisor
      const report = await recoverManaged();
      expect(report.stopped.map((r) => r.spec.name)).toEqual(['leftover']);
      expect(report.kept).toEqual([{ name: 'mine', reason: expect.stringMatching(/supervisor .* is running/) }]);
      expect(await eventually(async () => !(await isSameProcess(left!.pid, left!.startTime)))).toBe(true);
      expect(await readRecord('leftover')).toBeUndefined();
      expect(await isSameProcess(live.pid, live.startTime)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      const left = await readRecord('leftover').catch(() => undefined);
      if (left && (await isSameProcess(left.pid, left.startTime))) process.kill(left.pid, 'SIGKILL');
    }
  });
});
