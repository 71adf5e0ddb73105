/**
 * The `process` kinds under the shared driver contract, against real processes outside the test's own tree,
 * observed through /proc, and `time.skew` on a clock file, observed by a process started under libfaketime with it.
 * `process.kill`, `process.cont` and `process.restart` cannot be undone: they pass the
 * inject half of the contract, and say why they skip the rest.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isSameProcess, readProc } from '../../../src/os/proc.js';
import { faketimeEnv } from '../../../src/os/faketime.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import { driverContract } from '../../support/driver-contract.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome } from './helpers.js';

const skip = hasProc ? false : 'needs Linux /proc';
/** Gone, or a zombie nobody reaped yet: either way no longer running. */
const gone = async (pid: number): Promise<boolean> => ['Z', 'X', undefined].includes(await stateOf(pid));

driverContract({
  kind: 'process.stop',
  skip,
  setup: async () => {
    const p = await spawnOrphan();
    return { query: { pid: p.pid }, inEffect: async () => (await stateOf(p.pid)) === 'T', cleanup: killOrphans };
  },
});

driverContract({
  kind: 'process.kill',
  skip,
  skipBehaviours: {
    revert: 'irreversible: a killed process stays dead (revert restarts nothing unless it is supervised)',
    manager: 'irreversible: nothing stays in effect for the ledger to hold',
    'crash-recover': 'irreversible: nothing stays in effect for `recover` to remove',
  },
  setup: async () => {
    const p = await spawnOrphan();
    return { query: { pid: p.pid }, inEffect: () => gone(p.pid), cleanup: killOrphans };
  },
});

driverContract({
  kind: 'process.cont',
  skip,
  skipBehaviours: {
    revert: 'a repair action: resuming a process has nothing to undo',
    manager: 'a repair action: nothing stays in effect for the ledger to hold',
    'crash-recover': 'a repair action: nothing stays in effect for `recover` to remove',
  },
  setup: async () => {
    const p = await spawnOrphan();
    process.kill(p.pid, 'SIGSTOP');
    return { query: { pid: p.pid }, inEffect: async () => (await stateOf(p.pid)) === 'S', cleanup: killOrphans };
  },
});

driverContract({
  kind: 'process.restart',
  skip,
  skipBehaviours: {
    revert: 'irreversible: a restart cannot be undone; revert only makes sure the process runs',
    manager: 'irreversible: the restarted process stays a new process after revert',
    'crash-recover': 'irreversible: the restarted process stays a new process after `recover`',
  },
  setup: async () => {
    const home = tempHome();
    const sup = new Supervisor();
    const name = `contract-${randomBytes(3).toString('hex')}`;
    const first = await sup.start({ name, command: 'sleep', args: ['300'] });
    return {
      query: { managed: name },
      // Restarted: the first process is gone and another `sleep` runs in its place.
      inEffect: async () => {
        const now = sup.get(name);
        if (!now || now.pid === first.pid || (await isSameProcess(first.pid, first.startTime))) return false;
        return (await readProc(now.pid))?.state !== undefined;
      },
      cleanup: async () => {
        await sup.stopAll();
        home.restore();
      },
    };
  },
});

driverContract({
  kind: 'time.skew',
  needs: ['faketime'],
  setup: () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-skew-'));
    const clockFile = join(dir, 'clock');
    writeFileSync(clockFile, '+0\n');
    // A fresh process under libfaketime reading that clock file: its wall clock minus ours, in seconds.
    const skew = async (): Promise<number> => {
      const env = { ...process.env, ...faketimeEnv(clockFile) };
      const { stdout } = await promisify(execFile)('date', ['+%s'], { env, timeout: 10_000 });
      return Number(stdout.trim()) - Date.now() / 1000;
    };
    return Promise.resolve({
      query: { clockFile },
      params: { offset: '+1h' },
      inEffect: async () => Math.abs((await skew()) - 3600) < 30,
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  },
});
