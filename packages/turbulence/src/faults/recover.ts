/**
 * @module Recovery: reverting what the ledger still holds after a run crashed (`turbulence recover`), and
 * reverting ledger entries by id from any process (`turbulence fault revert`).
 *
 * An entry is reverted when `all` is set, when it has expired, or when its owner is gone (same host, and the
 * owner pid is dead or was recycled). Entries owned by a live process or another host, and detached entries
 * that have not expired, are kept and reported with the reason.
 */
import { hostname } from 'node:os';
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { Ledger } from './ledger.js';
import { removeStaleTemporaryFiles } from '../os/atomic.js';
import type { CorruptEntry, LedgerEntry, LedgerOwner } from './ledger.js';
import { isSameProcess, readProc } from '../os/proc.js';
import { getDriver } from './registry.js';
import { markRevertedBy } from './revert-marks.js';

/** What {@link recoverLedger} did. */
export interface RecoverReport {
  reverted: LedgerEntry[];
  failed: { entry: LedgerEntry; error: TurbulenceError }[];
  kept: { entry: LedgerEntry; reason: string }[];
  corrupt: CorruptEntry[];
}

/** Options of {@link recoverLedger}. */
export interface RecoverOptions {
  /** Revert every entry, whoever owns it. */
  all?: boolean;
  ledger?: Ledger;
  /** Called before each revert (for progress output). */
  onRevert?: (entry: LedgerEntry) => void;
}

/** Why an entry must be kept, or undefined when it should be reverted now. */
export async function keepReason(entry: LedgerEntry, all: boolean, now = Date.now()): Promise<string | undefined> {
  if (all) return undefined;
  if (entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= now) return undefined;
  if (entry.detached) return 'detached (revert it with `turbulence fault revert ID`, or use --all)';
  const { owner } = entry;
  if (owner.host !== hostname()) return `owned by host ${owner.host}`;
  return (await ownerAlive(owner)) ? `its owner (pid ${owner.pid}) is still running` : undefined;
}

/** True when the owner process (on this host) still runs: same pid and, when recorded, same start time. */
export async function ownerAlive(owner: LedgerOwner): Promise<boolean> {
  return owner.startTime !== undefined
    ? isSameProcess(owner.pid, owner.startTime)
    : (await readProc(owner.pid)) !== undefined;
}

/**
 * Reverts ledger entries whose owner is gone, that have expired, or every entry with `all`; newest first.
 *
 * @example
 * const report = await recoverLedger();
 * for (const f of report.failed) console.error(f.entry.id, f.error.message);
 */
export async function recoverLedger(options: RecoverOptions = {}): Promise<RecoverReport> {
  const ledger = options.ledger ?? new Ledger();
  await removeStaleTemporaryFiles(ledger.dir);
  const { entries, corrupt } = await ledger.list();
  const report: RecoverReport = { reverted: [], failed: [], kept: [], corrupt };
  for (const entry of entries.reverse()) {
    const reason = await keepReason(entry, options.all === true);
    if (reason !== undefined) {
      report.kept.push({ entry, reason });
      continue;
    }
    options.onRevert?.(entry);
    try {
      await revertEntry(ledger, entry, 'recover');
      report.reverted.push(entry);
    } catch (err) {
      report.failed.push({ entry, error: asRevertError(entry, err) });
    }
  }
  return report;
}

/**
 * Reverts one ledger entry by id, whoever owns it. Throws `USAGE` when there is no such entry. `by` names who
 * reverted it (`ui`, `fault revert`): a live owner's run records that, not its own end (see `revert-marks.ts`).
 *
 * @example
 * await revertLedgerEntry('process-stop-m3x8k2-1a2b3c');
 */
export async function revertLedgerEntry(
  id: string,
  ledger: Ledger = new Ledger(),
  by = 'fault revert',
): Promise<LedgerEntry> {
  const entry = await ledger.get(id);
  if (!entry) {
    throw new TurbulenceError(ErrorCodes.USAGE, `no fault ${id} in the ledger`, {
      location: { file: ledger.dir },
      hint: 'see `turbulence fault list`; it may have been reverted already',
    });
  }
  try {
    await revertEntry(ledger, entry, by);
  } catch (err) {
    throw asRevertError(entry, err);
  }
  return entry;
}

/**
 * Reverts one entry with its driver and removes it from the ledger (status `reverting` first). When its owner
 * still runs on this host, a mark says `by` whom before the entry goes, so the owner reports that.
 */
export async function revertEntry(ledger: Ledger, entry: LedgerEntry, by = 'recover'): Promise<void> {
  const driver = await getDriver(entry.kind);
  if (!(await markReverting(ledger, entry.id))) return;
  const ctx = { rng: new Rng(0), signal: new AbortController().signal };
  await driver.revert(
    {
      id: entry.id,
      kind: entry.kind,
      target: entry.target,
      params: entry.params,
      ...(entry.state !== undefined ? { state: entry.state } : {}),
    },
    ctx,
  );
  if (entry.owner.host === hostname() && (await ownerAlive(entry.owner)))
    await markRevertedBy(ledger.dir, entry.id, by).catch(() => undefined);
  await ledger.remove(entry.id);
}

/**
 * Marks an entry `reverting`; false when it is gone. Another `recover` (or the owner) running at the same time
 * reverted and removed it after this one listed it: an entry is removed only after its revert succeeded, so it
 * is done, and this recover succeeds too instead of failing on the missing file.
 */
async function markReverting(ledger: Ledger, id: string): Promise<boolean> {
  try {
    await ledger.update(id, { status: 'reverting' });
    return true;
  } catch (err) {
    if ((await ledger.get(id).catch(() => 'unreadable')) === undefined) return false;
    throw err;
  }
}

function asRevertError(entry: LedgerEntry, err: unknown): TurbulenceError {
  if (isTurbulenceError(err) && err.code !== ErrorCodes.INTERNAL) return err;
  return new TurbulenceError(
    ErrorCodes.FAULT_REVERT_FAILED,
    `could not revert ${entry.kind} on ${entry.target.name}: ${errorMessage(err)}`,
    {
      hint: 'fix the cause and run `turbulence recover --all` again; the entry stays in the ledger',
      cause: err,
    },
  );
}
