/**
 * `--seed` replays the same choice of processes when the same set runs again under other pids (issue 23 §3):
 * selection orders candidates by a stable identity (managed name, else command line and start order), not by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'tb-seed-replay-'));
const env = { ...process.env, TURBULENCE_HOME: home };
// A marker of this test run, so the query matches only the processes this test started.
const marker = `${process.pid}${Date.now() % 1000}`;
let children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children = [];
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Starts `sleep 1<marker><i>` for each i, in the given order (so pids follow that order). */
async function start(order: number[]): Promise<void> {
  for (const i of order) {
    const c = spawn('sleep', [`1${marker}${i}`], { stdio: 'ignore' });
    await new Promise((r) => c.once('spawn', r));
    children.push(c);
  }
}

/** The command lines `--dry-run` would choose with seed 7. */
async function chosen(): Promise<string[]> {
  const r = await runCli(
    [
      'fault',
      'inject',
      'process.stop',
      '--target',
      `cmdline=^sleep 1${marker}[0-9]$`,
      '--select',
      'count(2)',
      '--seed',
      '7',
      '--dry-run',
    ],
    { env },
  );
  expect(r.code, r.out).toBe(0);
  return [...r.stdout.matchAll(/would inject process\.stop on (sleep \d+) \(pid \d+\)/g)]
    .map((m) => m[1] as string)
    .sort();
}

describe('seeded selection across runs', () => {
  it(
    'chooses the same processes for the same seed when they come back under other pids',
    async () => {
      await start([1, 2, 3, 4, 5, 6]);
      const first = await chosen();
      expect(first).toHaveLength(2);
      // The processes of the first "run" go away; the same set starts again, in reverse order (other pids).
      for (const c of children) c.kill('SIGKILL');
      children = [];
      await start([6, 5, 4, 3, 2, 1]);
      expect(await chosen()).toEqual(first);
    },
    cliTimeout(2),
  );
});
