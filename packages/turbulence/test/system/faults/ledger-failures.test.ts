/**
 * The ledger when things go wrong around it (issue 14): a home that turns read-only or fills up while a fault is
 * in effect, temporary files left by a killed writer, and two `recover`s at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/faults/ledger.js';
import { recoverLedger } from '../../../src/faults/recover.js';
import { cliProcesses, runCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { freshHomeEachTest, hasProc, spawnOrphan, stateOf } from './helpers.js';
import type { Orphan } from './helpers.js';

const root = requireSystem('root');

const cli = cliProcesses();
const start = (args: string[], env?: NodeJS.ProcessEnv) => cli.start(args, { env });
const run = (args: string[], env?: NodeJS.ProcessEnv) => runCli(args, { env });
const temporaries = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** An entry of a fault whose owner is long gone: a stopped orphan that `recover` must resume. */
async function orphanedStop(ledger: Ledger, i: number): Promise<Orphan> {
  const p = await spawnOrphan();
  process.kill(p.pid, 'SIGSTOP');
  await ledger.record({
    id: `process-stop-orphaned-${i}`,
    kind: 'process.stop',
    target: {
      id: `pid:${p.pid}`,
      type: 'process',
      name: `sleep 300 (pid ${p.pid})`,
      attributes: { pid: p.pid, startTime: p.startTime },
    },
    params: {},
    createdAt: new Date().toISOString(),
    owner: { pid: 2 ** 22 + 1, host: hostname(), cmd: 'turbulence run gone.yaml' }, // above pid_max: never alive
    status: 'active',
  });
  return p;
}

describe.skipIf(!hasProc)('ledger failures', { timeout: 120_000 }, () => {
  const env = freshHomeEachTest({ cli });

  it('lets two recovers run at once: both succeed and every fault is reverted once', async () => {
    const ledger = new Ledger(join(env.home, 'ledger'));
    const stopped: Orphan[] = [];
    for (let i = 0; i < 8; i++) stopped.push(await orphanedStop(ledger, i));
    const [a, b] = await Promise.all([recoverLedger({ ledger }), recoverLedger({ ledger })]);
    expect([...a.failed, ...b.failed].map((f) => f.error.message)).toEqual([]);
    for (const p of stopped) expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
    expect((await ledger.list()).entries).toEqual([]);

    // The same through the CLI: two processes, both exit 0.
    for (let i = 8; i < 14; i++) stopped.push(await orphanedStop(ledger, i));
    const [c, d] = await Promise.all([run(['recover']), run(['recover'])]);
    expect([c.code, d.code, c.stderr, d.stderr]).toEqual([0, 0, '', '']);
    for (const p of stopped) expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
    expect((await ledger.list()).entries).toEqual([]);
    expect(temporaries(ledger.dir)).toEqual([]);
  });

  it('removes temporary files a killed writer left in the ledger, and keeps those of live writers', async () => {
    const ledger = new Ledger(join(env.home, 'ledger'));
    await orphanedStop(ledger, 0);
    const dead = spawnSync();
    writeFileSync(join(ledger.dir, `.process-stop-x.json.${dead}.0a1b2c3d.tmp`), '{"half":');
    writeFileSync(join(ledger.dir, `.process-stop-y.json.${process.pid}.0a1b2c3d.tmp`), '{"half":');
    const report = await recoverLedger({ ledger });
    expect(report.reverted).toHaveLength(1);
    expect(temporaries(ledger.dir)).toEqual([`.process-stop-y.json.${process.pid}.0a1b2c3d.tmp`]);
  });

  describe.skipIf(root.skip)('a TURBULENCE_HOME on a tmpfs of its own', () => {
    let mnt: string;
    let mounted = false;
    beforeEach(() => {
      mnt = mkdtempSync(join(tmpdir(), 'tb-ledger-fs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tb-ledger-test', mnt]);
      mounted = true;
    });
    afterEach(() => {
      if (mounted) execFileSync('umount', ['-l', mnt]);
      mounted = false;
      rmSync(mnt, { recursive: true, force: true });
    });
    const homeEnv = (): NodeJS.ProcessEnv => ({ ...process.env, TURBULENCE_HOME: mnt });

    it('says so and exits 1 when the ledger turns read-only before the fault expires', async () => {
      const p = await spawnOrphan();
      const r = start(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`, '--duration', '3s'], homeEnv());
      expect(await eventually(() => r.stdout().includes('in effect for'), 60_000)).toBe(true);
      expect(await stateOf(p.pid)).toBe('T');
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 45_000).unref());
      expect(await Promise.race([r.exit, timeout])).toBe(1);
      expect(r.stderr()).toMatch(/could not remove it from the ledger: .*read-only file system/i);
      expect(r.stderr()).toMatch(/turbulence recover --all/);
      expect(await stateOf(p.pid)).not.toBe('T'); // the fault itself was reverted
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
      const ledger = new Ledger(join(mnt, 'ledger'));
      expect((await ledger.list()).entries).toHaveLength(1);
      expect(temporaries(ledger.dir)).toEqual([]);
      const rec = await run(['recover', '--all'], homeEnv());
      expect(rec.code).toBe(0);
      expect((await ledger.list()).entries).toEqual([]);
    });

    it('leaves no temporary file behind when the disk is full at expiry', async () => {
      const p = await spawnOrphan();
      const r = start(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`, '--duration', '3s'], homeEnv());
      expect(await eventually(() => r.stdout().includes('in effect for'), 60_000)).toBe(true);
      try {
        writeFileSync(join(mnt, 'filler'), Buffer.alloc(2 * 1024 * 1024));
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 45_000).unref());
      expect(await Promise.race([r.exit, timeout])).toBe(0);
      expect(await stateOf(p.pid)).not.toBe('T');
      const ledger = new Ledger(join(mnt, 'ledger'));
      expect(temporaries(ledger.dir)).toEqual([]);
      expect((await ledger.list()).entries).toEqual([]);
    });
  });
});

/** The pid of a process that has exited. */
function spawnSync(): number {
  return Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"'], { encoding: 'utf8' }).trim());
}
