/**
 * @module The guardian: a small detached process that reverts faults whose duration is over when the process
 * that injected them is gone (SIGKILLed, terminal closed). One per turbulence home, under a lock; it reads the
 * same ledger as `turbulence recover` and exits once nothing in the ledger is left to expire.
 *
 *   start ─▶ lock (or exit: another guardian runs) ─▶ pass ─▶ sleep until next expiry ─▶ pass ─▶ ...
 *                                                      ▲        (at most safetyMs; woken early by
 *                                                      │         fs.watch on the ledger directory)
 *                                        nothing left to expire ─▶ unlock ─▶ look once more ─▶ exit
 *
 * It never reverts a fault whose owner is alive and still holds it (not detached): that owner's own timer
 * reverts it.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { setLongTimeout } from '../../core/long-timer.js';
import type { LongTimer } from '../../core/long-timer.js';
import { Ledger } from '../ledger.js';
import type { LedgerEntry } from '../ledger.js';
import { ownerAlive, revertEntry } from '../recover.js';
import { acquireLock, releaseLock } from './lock.js';
import { nextWake, planGuardian } from './plan.js';
import type { OwnerState } from './plan.js';

/** Options of {@link runGuardian}. */
export interface GuardianOptions {
  /** The ledger directory it guards; the lock and log sit in its parent (the turbulence home). */
  ledgerDir: string;
  /** Longest sleep, as a safety net when a watch event is missed (default 60 s). */
  safetyMs?: number;
  /** How soon to look again at an expired fault a live owner holds (default 1 s, doubling to safetyMs). */
  heldRecheckMs?: number;
  /** When set, counters are written there (JSON) after every pass: for `bench/guardian.ts`. */
  statsFile?: string;
}

/** Counters of one guardian's life. */
export interface GuardianStats {
  pid: number;
  passes: number;
  timerWakeups: number;
  watchWakeups: number;
  reverted: number;
  failed: number;
}

/** The lock file of the guardian of a ledger directory. */
export const guardianLockFile = (ledgerDir: string): string => join(dirname(ledgerDir), 'guardian.lock');
/** The guardian's log (one line per revert or failure). */
export const guardianLogFile = (ledgerDir: string): string => join(dirname(ledgerDir), 'guardian.log');

/**
 * Runs the guardian until nothing is left to expire. Resolves false at once when another guardian holds the lock.
 *
 * @example
 * await runGuardian({ ledgerDir: ledgerDir() });
 */
export async function runGuardian(options: GuardianOptions): Promise<boolean> {
  const lock = guardianLockFile(options.ledgerDir);
  if (!(await acquireLock(lock))) return false;
  const guardian = new Guardian(options);
  for (;;) {
    try {
      await guardian.loop();
    } finally {
      await releaseLock(lock);
    }
    // A runner may have recorded a fault while we were deciding to exit, and seen our lock: look once more.
    if (!(await guardian.pending()) || !(await acquireLock(lock))) return true;
  }
}

class Guardian {
  private readonly ledger: Ledger;
  private readonly safetyMs: number;
  private readonly heldRecheckMs: number;
  private readonly stats: GuardianStats;
  private heldStreak = 0;

  constructor(private readonly options: GuardianOptions) {
    this.ledger = new Ledger(options.ledgerDir);
    this.safetyMs = options.safetyMs ?? 60_000;
    this.heldRecheckMs = options.heldRecheckMs ?? 1000;
    this.stats = { pid: process.pid, passes: 0, timerWakeups: 0, watchWakeups: 0, reverted: 0, failed: 0 };
  }

  /** Passes and sleeps until a pass finds nothing left to expire. */
  async loop(): Promise<void> {
    for (;;) {
      const plan = await this.pass();
      if (this.idleAfter(plan)) return;
      const now = Date.now();
      this.heldStreak = plan.held.length > 0 ? this.heldStreak + 1 : 0;
      const held = Math.min(this.safetyMs, this.heldRecheckMs * 2 ** Math.min(this.heldStreak - 1, 10));
      await this.sleepUntil(nextWake(plan, now, this.safetyMs, held));
    }
  }

  /** True when the ledger holds something this guardian would wait for (read-only: no revert). */
  async pending(): Promise<boolean> {
    const { entries } = await this.ledger.list().catch(() => ({ entries: [] as LedgerEntry[] }));
    for (const e of entries) if (e.expiresAt !== undefined && (await ownerState(e)) !== 'other-host') return true;
    return false;
  }

  idleAfter(plan: { idle: boolean; failed: number }): boolean {
    return plan.idle && plan.failed === 0;
  }

  /** Reads the ledger, reverts what is due, and returns the plan (with how many reverts failed). */
  async pass(): Promise<ReturnType<typeof planGuardian> & { failed: number }> {
    this.stats.passes++;
    let failed = 0;
    const { entries } = await this.ledger.list().catch(() => ({ entries: [] as LedgerEntry[] }));
    const owners = new Map<string, OwnerState>();
    for (const e of entries) owners.set(e.id, await ownerState(e));
    const plan = planGuardian(entries, (e) => owners.get(e.id) ?? 'gone', Date.now());
    for (const entry of plan.revert) {
      const current = await this.ledger.get(entry.id).catch(() => undefined);
      if (!current) continue; // reverted meanwhile by `recover` or `fault revert`
      try {
        await revertEntry(this.ledger, current);
        this.stats.reverted++;
        await this.log({ event: 'reverted', id: entry.id, kind: entry.kind, expiresAt: entry.expiresAt });
      } catch (err) {
        failed++;
        this.stats.failed++;
        await this.log({ event: 'revert-failed', id: entry.id, kind: entry.kind, error: errorMessage(err) });
      }
    }
    await this.writeStats();
    return { ...plan, idle: plan.idle || (plan.nextExpiry === undefined && plan.held.length === 0), failed };
  }

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      const timers: LongTimer[] = []; // (a timer already due fires synchronously, before it is assigned)
      let watcher: FSWatcher | undefined;
      let debounce: NodeJS.Timeout | undefined;
      const done = (): void => {
        for (const t of timers) t.clear();
        watcher?.close();
        clearTimeout(debounce);
        resolve();
      };
      timers.push(
        setLongTimeout(() => {
          this.stats.timerWakeups++;
          done();
        }, at - Date.now()),
      );
      try {
        // A new fault may expire sooner than our next wake-up: look again when the ledger changes.
        watcher = watch(this.options.ledgerDir, (_event, name) => {
          if (typeof name === 'string' && name.startsWith('.')) return; // atomic-write temp files
          clearTimeout(debounce);
          debounce = setTimeout(() => {
            this.stats.watchWakeups++;
            done();
          }, 50);
        });
        watcher.on('error', () => undefined);
      } catch {
        // no watch (directory gone, no inotify): the timer and safety net still wake us
      }
    });
  }

  private async log(line: Record<string, unknown>): Promise<void> {
    const text = `${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...line })}\n`;
    await appendFile(guardianLogFile(this.options.ledgerDir), text, { mode: 0o600 }).catch(() => undefined);
  }

  private async writeStats(): Promise<void> {
    if (!this.options.statsFile) return;
    await writeFile(this.options.statsFile, JSON.stringify(this.stats)).catch(() => undefined);
  }
}

async function ownerState(entry: LedgerEntry): Promise<OwnerState> {
  if (entry.owner.host !== hostname()) return 'other-host';
  return (await ownerAlive(entry.owner)) ? 'alive' : 'gone';
}
