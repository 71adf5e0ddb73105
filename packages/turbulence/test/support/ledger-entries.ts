/**
 * Ledger entries and owners made by hand, for the guardian tests and `bench/guardian.ts`. No vitest here: the bench
 * imports this module outside the test runner.
 */
import { spawnSync } from 'node:child_process';
import type { LedgerEntry } from '../../src/faults/ledger.js';
import { resolveProcesses } from '../../src/targets/process.js';

/** The pid of a Node process that has already exited: an owner that is surely dead. */
export const deadPid = (): number =>
  Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

/**
 * A ledger entry of an active `process.stop` on the live `pid` (its target resolved as turbulence would), created
 * now and expiring in `expiresInMs`, held by `owner`. The guardian tests and `bench/guardian.ts` record these.
 */
export async function processStopEntry(
  id: string,
  pid: number,
  owner: LedgerEntry['owner'],
  expiresInMs: number,
): Promise<LedgerEntry> {
  const [target] = await resolveProcesses({ pid });
  const now = Date.now();
  return {
    id,
    kind: 'process.stop',
    target: target!,
    params: {},
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + expiresInMs).toISOString(),
    owner,
    status: 'active',
  };
}
