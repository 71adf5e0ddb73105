/**
 * @module What a monkey keeps on disk, one directory per schedule name, owned by the `monkey run` process:
 *
 *   ${TURBULENCE_HOME}/monkey/<name>/
 *     state.json     seed, origin date, clock, cursor (last entry decided), last fault per target; atomic writes
 *     lease.json     the owner's pid + start time, renewed every few seconds (the deadman's heartbeat)
 *     halt           the kill switch: present = halted ({reason, by, at}); `monkey resume` removes it
 *     events.jsonl   append-only: every decision and fault event, one JSON object per line
 *     journal/<entry>.json   one journal per fault entry: the entry, its faults, its events
 *
 * The cursor is written BEFORE a fault is injected: a monkey killed mid-injection does not inject that entry again
 * when restarted (at most once), and the ledger still holds the fault for `recover`.
 */
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { turbulenceHome } from '../os/home.js';
import { ensurePrivateDir, writeFileAtomic } from '../os/atomic.js';
import { startTimeOfSync } from '../os/proc.js';
import { isSameProcess } from '../os/proc.js';

/** Directory of one schedule's state. */
export function monkeyDir(name: string, home: string = turbulenceHome()): string {
  return join(home, 'monkey', name);
}

const stateSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  schedule: z.string(),
  seed: z.number().int(),
  /** Local date the time line starts on. */
  origin: z.string(),
  clock: z.object({ origin: z.number(), realStart: z.number(), speed: z.number() }).optional(),
  cursor: z.object({ at: z.number(), id: z.string() }).optional(),
  /** Stable target key → workday index of its last fault. */
  lastByKey: z.record(z.string(), z.number()).default({}),
});

/** The state file. */
export type MonkeyState = z.output<typeof stateSchema>;

/** The kill switch file's content. */
export interface HaltRecord {
  reason: string;
  by: string;
  at: string;
}

/** The lease: who runs this schedule, and when it last said so. */
export interface Lease {
  pid: number;
  startTime?: string;
  renewedAt: string;
  control?: string;
}

/** Reads and writes one schedule's directory. */
export class MonkeyStore {
  readonly dir: string;
  private appendQueue: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the directory (0700). */
  async open(): Promise<void> {
    await ensurePrivateDir(this.dir);
    await mkdir(join(this.dir, 'journal'), { recursive: true, mode: 0o700 });
  }

  /** The state, or undefined before the first run. */
  async readState(): Promise<MonkeyState | undefined> {
    const text = await readOptional(join(this.dir, 'state.json'));
    if (text === undefined) return undefined;
    const parsed = stateSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `${join(this.dir, 'state.json')} is not a monkey state file`, {
        hint: 'move it aside to start the time line again (the ledger still lists any active fault)',
      });
    }
    return parsed.data;
  }

  writeState(state: MonkeyState): Promise<void> {
    return writeFileAtomic(join(this.dir, 'state.json'), `${JSON.stringify(state)}\n`);
  }

  /** The kill switch, or undefined when not halted. */
  async readHalt(): Promise<HaltRecord | undefined> {
    const text = await readOptional(join(this.dir, 'halt'));
    if (text === undefined) return undefined;
    const v = safeJson(text) as Partial<HaltRecord> | undefined;
    return { reason: v?.reason ?? 'halted', by: v?.by ?? 'file', at: v?.at ?? new Date().toISOString() };
  }

  /** Throws the kill switch. */
  halt(reason: string, by: string): Promise<void> {
    const record: HaltRecord = { reason, by, at: new Date().toISOString() };
    return writeFileAtomic(join(this.dir, 'halt'), `${JSON.stringify(record)}\n`);
  }

  /** Releases the kill switch. */
  async resume(): Promise<void> {
    await rm(join(this.dir, 'halt'), { force: true });
  }

  async readLease(): Promise<Lease | undefined> {
    const text = await readOptional(join(this.dir, 'lease.json'));
    return text === undefined ? undefined : (safeJson(text) as Lease | undefined);
  }

  renewLease(control?: string): Promise<void> {
    const startTime = startTimeOfSync(process.pid);
    const lease: Lease = {
      pid: process.pid,
      ...(startTime !== undefined ? { startTime } : {}),
      renewedAt: new Date().toISOString(),
      ...(control !== undefined ? { control } : {}),
    };
    return writeFileAtomic(join(this.dir, 'lease.json'), `${JSON.stringify(lease)}\n`);
  }

  /** Appends one event to `events.jsonl` (in order; failures are reported, never thrown at the caller). */
  append(event: object, onError?: (err: unknown) => void): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    this.appendQueue = this.appendQueue
      .then(() => appendFile(join(this.dir, 'events.jsonl'), line, { mode: 0o600 }))
      .catch((err: unknown) => onError?.(err));
    return this.appendQueue;
  }

  /** Resolves when every append so far is on disk. */
  flush(): Promise<void> {
    return this.appendQueue;
  }

  /** Where the journal of an experiment group's run for `entryId` goes (`turbulence run --journal-path`). */
  experimentJournalPath(entryId: string): string {
    return join(this.dir, 'journal', `${journalName(entryId)}.experiment.json`);
  }

  writeJournal(entryId: string, journal: object): Promise<void> {
    return writeFileAtomic(
      join(this.dir, 'journal', `${journalName(entryId)}.json`),
      `${JSON.stringify(journal, null, 2)}\n`,
    );
  }

  /** Every event of the log (for `status` and tests). */
  async readEvents(): Promise<Record<string, unknown>[]> {
    const text = (await readOptional(join(this.dir, 'events.jsonl'))) ?? '';
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => safeJson(l) as Record<string, unknown>)
      .filter((e) => e !== undefined);
  }
}

/** True when the lease's process still runs (same pid and start time). */
export async function leaseAlive(lease: Lease | undefined): Promise<boolean> {
  if (!lease) return false;
  if (lease.startTime === undefined) return false;
  return isSameProcess(lease.pid, lease.startTime);
}

/** `2026-12-07/web[a b]` → `2026-12-07_web_a_b_`: a file name. */
export function journalName(entryId: string): string {
  return entryId.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
