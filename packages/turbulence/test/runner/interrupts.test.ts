/**
 * A real `turbulence run` killed or interrupted at the worst moment: the live journal (written after each phase)
 * and the interrupt helper (first signal soft, second hard). Real processes, real signals, the real ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/experiment/journal.js';
import { procState, runScratch } from './helpers.js';

/** The journal as written: `status` may also be `running`. */
type Written = Omit<Journal, 'status'> & { status: string | null };

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/turbulence.js');
const scratch = runScratch('turb-int-');
const { work, home, write, track, ledgerEntries } = scratch;
const sleeper = () => scratch.sleeper(120);

afterEach(scratch.killChildren);
afterAll(scratch.remove);

/** Reads the journal; undefined while it does not exist (a torn file would throw and fail the test). */
function readJournal(path: string): Written | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Written) : undefined;
}

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(file: string, journal: string, ...extra: string[]): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'run', file, '--journal-path', journal, ...extra], {
    env: { ...process.env, TURBULENCE_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  track(child);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exit };
}

/** Pauses a process, then runs a 60 s action; rollbacks (when asked) take 60 s too. */
function longExperiment(name: string, pid: number, slowRollback = false): string {
  return write(name, {
    title: 'a long action',
    description: 'the runner is stopped while an action runs',
    'steady-state-hypothesis': {
      title: 'true holds',
      probes: [
        { type: 'probe', name: 'always', tolerance: 0, provider: { type: 'process', path: 'true', arguments: [] } },
      ],
    },
    method: [
      {
        type: 'action',
        name: 'pause-victim',
        provider: { type: 'fault', kind: 'process.stop', target: { pid } },
      },
      { type: 'action', name: 'long-wait', provider: { type: 'process', path: 'sleep', arguments: '60' } },
    ],
    rollbacks: slowRollback
      ? [{ type: 'action', name: 'slow-rollback', provider: { type: 'process', path: 'sleep', arguments: '60' } }]
      : [],
  });
}

describe('turbulence run, stopped mid-method', () => {
  it('leaves a readable journal with status running and the activities so far when SIGKILLed', async () => {
    const victim = sleeper();
    const journalPath = join(work, 'killed.json');
    const { child, exit } = run(longExperiment('killed-exp.json', victim.pid!), journalPath);
    await waitFor(() => readJournal(journalPath)?.run?.length === 2);
    child.kill('SIGKILL');
    await exit;

    const j = readJournal(journalPath)!;
    expect(j.status).toBe('running');
    expect(j.end).toBeNull();
    expect(j.steady_states.before?.steady_state_met).toBe(true);
    expect(j.run.map((r) => r.activity.name)).toEqual(['pause-victim', 'long-wait']);
    expect(j.run[0]).toMatchObject({ status: 'succeeded' });
    expect(j.run[1]).toMatchObject({ status: null });
    expect(j.faults).toHaveLength(1);
    expect(j.faults[0]).toMatchObject({ kind: 'process.stop', reverted_at: null });
    // No temporary file is left beside the journal.
    expect(readdirSync(work).filter((f) => f.includes('killed.json') && f.endsWith('.tmp'))).toEqual([]);
    // The fault is still in effect and in the ledger: recover's job, as before.
    expect(procState(victim.pid!)).toBe('T');
    expect(ledgerEntries()).toHaveLength(1);
    const recover = spawn(process.execPath, [BIN, 'recover'], { env: { ...process.env, TURBULENCE_HOME: home } });
    expect(await new Promise((r) => recover.on('exit', r))).toBe(0);
    expect(procState(victim.pid!)).not.toBe('T');
  });

  it('stops gracefully at the first SIGINT: faults reverted, rollbacks run, exit 130, nothing in the ledger', async () => {
    const victim = sleeper();
    const journalPath = join(work, 'soft.json');
    const file = write('soft.exp.json', {
      ...(JSON.parse(readFileSync(longExperiment('soft-base.json', victim.pid!), 'utf8')) as object),
      rollbacks: [{ type: 'action', name: 'quick-rollback', provider: { type: 'process', path: 'true' } }],
    });
    const { child, exit } = run(file, journalPath, '--rollback-strategy', 'always');
    await waitFor(() => readJournal(journalPath)?.run?.length === 2 && procState(victim.pid!) === 'T');
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(procState(victim.pid!)).not.toBe('T');
    expect(ledgerEntries()).toEqual([]);
    const j = readJournal(journalPath)!;
    expect(j.status).toBe('interrupted');
    expect(j.faults[0]).toMatchObject({ reverted_by: 'interrupt' });
    expect(j.rollbacks).toHaveLength(1);
    expect(j.rollbacks[0]).toMatchObject({ status: 'succeeded' });
  });

  it('stops at once at a second SIGINT, cutting a slow rollback short, and still exits 130', async () => {
    const victim = sleeper();
    const journalPath = join(work, 'hard.json');
    const { child, exit } = run(
      longExperiment('hard.exp.json', victim.pid!, true),
      journalPath,
      '--rollback-strategy',
      'always',
    );
    await waitFor(() => readJournal(journalPath)?.run?.length === 2 && procState(victim.pid!) === 'T');
    child.kill('SIGINT');
    // The live journal shows the 60 s rollback running: now the second signal.
    await waitFor(() => readJournal(journalPath)?.rollbacks?.length === 1);
    const second = Date.now();
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(Date.now() - second).toBeLessThan(10_000);
    // The fault was reverted by the first signal, before the rollbacks.
    expect(procState(victim.pid!)).not.toBe('T');
    expect(ledgerEntries()).toEqual([]);
    const j = readJournal(journalPath)!;
    expect(j.status).toBe('interrupted');
    expect(j.rollbacks[0]).toMatchObject({ status: 'failed' });
  });
});
