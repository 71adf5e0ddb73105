/**
 * The guardian's loop in this process (no CLI): it reverts an expired fault whose owner is dead, never one whose
 * owner is alive and holds it, takes over the lock of a guardian that was killed, and exits once nothing is left
 * to expire.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardianLockFile, runGuardian } from '../../../src/faults/guardian/guardian.js';
import { Ledger } from '../../../src/faults/ledger.js';
import type { LedgerEntry } from '../../../src/faults/ledger.js';
import { startTimeOfSync } from '../../../src/os/proc.js';
import { deadPid, hasProc, killOrphans, processStopEntry, spawnOrphan, stateOf, tempHome } from './helpers.js';

describe.skipIf(!hasProc)('the guardian loop', { timeout: 60_000 }, () => {
  let env: ReturnType<typeof tempHome>;
  let ledger: Ledger;
  beforeEach(() => {
    env = tempHome();
    ledger = new Ledger(join(env.home, 'ledger'));
  });
  afterEach(async () => {
    await killOrphans();
    env.restore();
  });

  async function stoppedEntry(id: string, owner: LedgerEntry['owner'], expiresInMs: number): Promise<number> {
    const victim = await spawnOrphan();
    process.kill(victim.pid, 'SIGSTOP');
    await ledger.record(await processStopEntry(id, victim.pid, owner, expiresInMs));
    return victim.pid;
  }

  it('reverts at expiry the fault of a dead owner, after taking over a killed guardian’s lock, then exits', async () => {
    writeFileSync(guardianLockFile(ledger.dir), JSON.stringify({ pid: deadPid(), startTime: '1' }));
    const pid = await stoppedEntry('gone-owner', { pid: deadPid(), startTime: '1', host: hostname(), cmd: 'x' }, 800);
    const started = Date.now();
    expect(await runGuardian({ ledgerDir: ledger.dir })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(await stateOf(pid)).not.toBe('T');
    expect((await ledger.list()).entries).toEqual([]);
    expect(existsSync(guardianLockFile(ledger.dir))).toBe(false);
  });

  it('never reverts an expired fault whose owner is alive and holds it; exits once the owner reverted it', async () => {
    const me = { pid: process.pid, startTime: startTimeOfSync(process.pid)!, host: hostname(), cmd: 'test' };
    const pid = await stoppedEntry('live-owner', me, 100);
    const guardian = runGuardian({ ledgerDir: ledger.dir, heldRecheckMs: 100 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stateOf(pid)).toBe('T'); // expired 1.4 s ago, but its owner (this test) still holds it
    process.kill(pid, 'SIGCONT'); // the owner reverts it ...
    await ledger.remove('live-owner'); // ... and removes it from the ledger
    expect(await guardian).toBe(true);
  });

  it('does not start a second guardian while one holds the lock', async () => {
    await stoppedEntry('far', { pid: deadPid(), startTime: '1', host: hostname(), cmd: 'x' }, 60_000);
    const first = runGuardian({ ledgerDir: ledger.dir });
    await new Promise((r) => setTimeout(r, 200));
    // The lock holder is this very process here, so a second runGuardian would re-enter: use a live other pid.
    writeFileSync(
      guardianLockFile(ledger.dir),
      JSON.stringify({ pid: process.ppid, startTime: startTimeOfSync(process.ppid) }),
    );
    expect(await runGuardian({ ledgerDir: ledger.dir })).toBe(false);
    await ledger.remove('far');
    expect(await first).toBe(true);
  });
});
