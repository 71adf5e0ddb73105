/**
 * Helpers of the `turbulence run` end-to-end tests (`cli.test.ts`, `interrupts.test.ts`): a scratch directory
 * with its own TURBULENCE_HOME, experiments written into it, victim processes, and the ledger and process state
 * read from outside turbulence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory of one test file ({@link runScratch}). */
export interface RunScratch {
  /** The directory (experiments, journals). */
  work: string;
  /** TURBULENCE_HOME of the runs: `<work>/home`. */
  home: string;
  /** Writes `experiment` as JSON to `<work>/<name>`; returns the path. */
  write: (name: string, experiment: unknown) => string;
  /** Starts `sleep <seconds>` as a victim, killed by {@link RunScratch.killChildren}. */
  sleeper: (seconds: number) => ChildProcess;
  /** Remembers a child for {@link RunScratch.killChildren}. */
  track: (child: ChildProcess) => void;
  /** SIGKILLs every tracked child still running (call it in `afterEach`). */
  killChildren: () => void;
  /** Ledger files (`*.json`) in `<home>/ledger`. */
  ledgerEntries: () => string[];
  /** Deletes the directory (call it in `afterAll`). */
  remove: () => void;
}

/**
 * Creates a scratch directory under the system temp dir, named `<prefix>XXXXXX`.
 *
 * @example
 * const scratch = runScratch('turb-cli-');
 * afterEach(scratch.killChildren);
 * afterAll(scratch.remove);
 * const file = scratch.write('exp.json', { title: 'x', method: [] });
 */
export function runScratch(prefix: string): RunScratch {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const home = join(work, 'home');
  const children: ChildProcess[] = [];
  return {
    work,
    home,
    write: (name, experiment) => {
      const file = join(work, name);
      writeFileSync(file, JSON.stringify(experiment, null, 2));
      return file;
    },
    sleeper: (seconds) => {
      const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
      children.push(child);
      return child;
    },
    track: (child) => {
      children.push(child);
    },
    killChildren: () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
    ledgerEntries: () => {
      const dir = join(home, 'ledger');
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    },
    remove: () => {
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The one-letter state of a live pid from /proc (`T` stopped, `S` sleeping...); throws when it is gone. */
export function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}
