/**
 * Helpers for the fault system tests: real processes outside the test's own process tree (turbulence refuses
 * its own descendants), a temporary TURBULENCE_HOME, and cleanup by pid.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Ledger } from '../../../src/faults/ledger.js';
import { ledgerDir } from '../../../src/os/home.js';
import { isSameProcess, readProc } from '../../../src/os/proc.js';
import { runCli, type CliProcesses } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';

/** A process started through a shell that exits at once, so it is re-parented away from the test. */
export interface Orphan {
  pid: number;
  startTime: string;
}

const started: Orphan[] = [];

/**
 * Starts `command` (a shell snippet, e.g. `exec sleep 300`) detached from the test's process tree; returns its
 * pid and start time. {@link killOrphans} removes every one of them.
 */
export async function spawnOrphan(command = 'exec sleep 300'): Promise<Orphan> {
  const out = execFileSync('sh', ['-c', `(${command}) </dev/null >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
  const pid = Number(out.trim());
  // `exec PROGRAM`: the subshell may not have exec'd yet (its comm is still `sh`); wait until it has, so a name
  // query finds it. On a loaded machine that can take a while.
  const program = /^exec\s+(\S+)/.exec(command)?.[1]?.split('/').pop()?.slice(0, 15);
  if (program) await eventually(async () => (await readProc(pid))?.comm === program, 10_000);
  const info = await readProc(pid);
  if (!info) throw new Error(`orphan ${pid} did not start`);
  const orphan = { pid, startTime: info.startTime };
  started.push(orphan);
  return orphan;
}

/** SIGKILLs (after SIGCONT) every orphan started so far that is still the same process. */
export async function killOrphans(): Promise<void> {
  for (const o of started.splice(0)) {
    if (!(await isSameProcess(o.pid, o.startTime))) continue;
    try {
      process.kill(o.pid, 'SIGCONT');
      process.kill(o.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** The one-letter state of a pid (`T` stopped, `S` sleeping...), or undefined when it is gone. */
export async function stateOf(pid: number): Promise<string | undefined> {
  return (await readProc(pid))?.state;
}

/** A fresh TURBULENCE_HOME, set in process.env; call the returned function to restore and delete it. */
export function tempHome(): { home: string; restore: () => void } {
  const previous = process.env.TURBULENCE_HOME;
  const home = mkdtempSync(join(tmpdir(), 'turbulence-faults-'));
  process.env.TURBULENCE_HOME = home;
  return {
    home,
    restore: () => {
      if (previous === undefined) delete process.env.TURBULENCE_HOME;
      else process.env.TURBULENCE_HOME = previous;
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** True on Linux with /proc, where the process family works. */
export const hasProc = process.platform === 'linux';

/** The ledger of the current TURBULENCE_HOME (the one {@link tempHome} set). */
export const homeLedger = (): Ledger => new Ledger(ledgerDir());

/** Ids of the faults in the ledger of the current TURBULENCE_HOME. */
export const ledgerIds = async (): Promise<string[]> => (await homeLedger().list()).entries.map((e) => e.id);

/** The name of a fault's own kernel or server object (`turbulence_` + its id, non-word characters as `_`). */
export const objectNameOf = (id: string): string => `turbulence_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

export { deadPid, processStopEntry } from '../../support/ledger-entries.js';

/**
 * Registers the hooks of a fault test that runs the CLI: a fresh {@link tempHome} before each test; after it, the
 * test's CLI processes SIGKILLed, `turbulence recover --all` run when `recoverAll`, the orphans killed and the
 * home restored. Call it inside the `describe`; `home` is the current test's TURBULENCE_HOME.
 *
 * @example
 * const cli = cliProcesses();
 * const env = freshHomeEachTest({ cli });
 * it('...', async () => { new Ledger(join(env.home, 'ledger')); });
 */
export function freshHomeEachTest(options: { cli?: CliProcesses; recoverAll?: boolean } = {}): {
  readonly home: string;
} {
  let current: ReturnType<typeof tempHome> | undefined;
  beforeEach(() => {
    current = tempHome();
  });
  afterEach(async () => {
    options.cli?.killAll();
    if (options.recoverAll) await runCli(['recover', '--all']);
    await killOrphans();
    current?.restore();
    current = undefined;
  });
  return {
    get home(): string {
      if (!current) throw new Error('freshHomeEachTest: no test is running');
      return current.home;
    },
  };
}
