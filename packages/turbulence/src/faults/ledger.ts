/**
 * @module The ledger: the durable record of every fault injected and not yet reverted.
 *
 *   record(entry, status injecting)   ← fsynced BEFORE the fault takes effect
 *   update(id, {state, status active}) after inject returned
 *   update(id, {status reverting})     before revert
 *   remove(id)                         after revert succeeded
 *
 * One JSON file per fault (`<dir>/<id>.json`), each written atomically, so a crash at any point leaves
 * complete entries that `turbulence recover` can revert. A corrupt file is reported by {@link Ledger.list},
 * never fatal to the other entries.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Target } from '../core/fault.js';
import { ensurePrivateDir, ledgerDir, removeFileDurably, writeFileAtomic } from './paths.js';

/** Where a fault is in its life. */
export type LedgerStatus = 'injecting' | 'active' | 'reverting';

/** The process (and run) that owns a fault; `recover` reverts faults whose owner is gone. */
export interface LedgerOwner {
  pid: number;
  /** Start time of the owner (`/proc/<pid>/stat` field 22), so a recycled pid does not look alive. */
  startTime?: string;
  host: string;
  runId?: string;
  /** Which activity of the run injected it, when a run did. */
  activity?: string;
  /** The owner's command line, for humans. */
  cmd: string;
}

/** One fault as stored in `<id>.json`. */
export interface LedgerEntry {
  id: string;
  kind: string;
  target: Target;
  params: JsonObject;
  /** What the driver's `inject` returned. */
  state?: JsonValue;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601: when the fault reverts itself; `recover` reverts it after this even if the owner lives. */
  expiresAt?: string;
  owner: LedgerOwner;
  status: LedgerStatus;
  /** Left in place on purpose (`fault inject --detach`): `recover` leaves it unless expired or `--all`. */
  detached?: boolean;
}

/** A ledger file that could not be read or parsed. */
export interface CorruptEntry {
  file: string;
  error: string;
}

/** What {@link Ledger.list} found. */
export interface LedgerListing {
  entries: LedgerEntry[];
  corrupt: CorruptEntry[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const entrySchema = z.object({
  id: z.string().regex(ID),
  kind: z.string().min(1),
  target: z.object({
    id: z.string(),
    type: z.string(),
    name: z.string(),
    attributes: z.record(z.string(), json),
  }),
  params: z.record(z.string(), json),
  state: json.optional(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  owner: z.object({
    pid: z.number().int(),
    startTime: z.string().optional(),
    host: z.string(),
    runId: z.string().optional(),
    activity: z.string().optional(),
    cmd: z.string(),
  }),
  status: z.enum(['injecting', 'active', 'reverting']),
  detached: z.boolean().optional(),
});

/**
 * The ledger in one directory (default `${TURBULENCE_HOME:-~/.turbulence}/ledger`).
 *
 * @example
 * const ledger = new Ledger();
 * const { entries, corrupt } = await ledger.list();
 */
export class Ledger {
  readonly dir: string;
  private madePrivate?: Promise<void>;

  constructor(dir: string = ledgerDir()) {
    this.dir = dir;
  }

  /** Path of an entry's file. */
  fileOf(id: string): string {
    return join(this.dir, `${checkId(id)}.json`);
  }

  /** Writes a new entry durably. Call it before the fault takes effect. */
  async record(entry: LedgerEntry): Promise<void> {
    await this.write(entry);
  }

  /** Merges `patch` into an entry and writes it durably; returns the new entry. */
  async update(id: string, patch: Partial<Omit<LedgerEntry, 'id'>>): Promise<LedgerEntry> {
    const current = await this.get(id);
    if (!current) {
      throw new TurbulenceError(ErrorCodes.LEDGER, `ledger entry ${id} does not exist`, {
        location: { file: this.fileOf(id) },
        hint: 'it was reverted and removed already, or the ledger directory changed (TURBULENCE_HOME)',
      });
    }
    const next: LedgerEntry = { ...current, ...patch, id };
    await this.write(next);
    return next;
  }

  /** Removes an entry (a missing entry is fine: removing is idempotent). */
  async remove(id: string): Promise<void> {
    await wrap(this.fileOf(id), 'remove', () => removeFileDurably(this.fileOf(id)));
  }

  /** One entry, or undefined when there is none. Throws `LEDGER` when the file is corrupt. */
  async get(id: string): Promise<LedgerEntry | undefined> {
    const file = this.fileOf(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ledgerError(file, 'read', err);
    }
    return parseEntry(file, text);
  }

  /** Every entry, oldest first, plus the files that could not be read. */
  async list(): Promise<LedgerListing> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], corrupt: [] };
      throw ledgerError(this.dir, 'list', err);
    }
    const entries: LedgerEntry[] = [];
    const corrupt: CorruptEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      const file = join(this.dir, name);
      try {
        entries.push(parseEntry(file, await readFile(file, 'utf8')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while listing
        corrupt.push({ file, error: errorMessage(err) });
      }
    }
    entries.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    return { entries, corrupt };
  }

  private async write(entry: LedgerEntry): Promise<void> {
    const file = this.fileOf(entry.id);
    await wrap(file, 'write', async () => {
      // 0700: entries name targets and who injected them. Tried again after a failure (e.g. a read-only home).
      this.madePrivate ??= ensurePrivateDir(this.dir).catch((err: unknown) => {
        this.madePrivate = undefined;
        throw err;
      });
      await this.madePrivate;
      await writeFileAtomic(file, `${JSON.stringify(entry, null, 2)}\n`);
    });
  }
}

function parseEntry(file: string, text: string): LedgerEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw ledgerError(file, 'parse', err);
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new TurbulenceError(ErrorCodes.LEDGER, `ledger entry is not valid${where}: ${issue?.message ?? ''}`, {
      location: { file },
      hint: 'inspect the file; once the fault it describes is undone by hand, delete it',
    });
  }
  return parsed.data;
}

function checkId(id: string): string {
  if (!ID.test(id)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `${JSON.stringify(id)} is not a fault id`, {
      hint: 'fault ids look like proc-stop-m3x8k2-1a2b3c; see `turbulence fault list`',
    });
  }
  return id;
}

async function wrap(file: string, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw ledgerError(file, what, err);
  }
}

function ledgerError(file: string, what: string, cause: unknown): TurbulenceError {
  return new TurbulenceError(ErrorCodes.LEDGER, `could not ${what} the ledger: ${errorMessage(cause)}`, {
    location: { file },
    hint: 'check that TURBULENCE_HOME (default ~/.turbulence) is writable and on a healthy disk',
    cause,
  });
}

/** A fresh fault id: `<family>-<name>-<time>-<random>`, e.g. `process-stop-m3x8k2-1a2b3c`. */
export function newFaultId(kind: string): string {
  const slug = kind.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40);
  return `${slug}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
