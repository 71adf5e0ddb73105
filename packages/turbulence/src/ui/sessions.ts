/**
 * @module The shared state of `turbulence ui`: every `turbulence run`, `fault inject` and `monkey run` records its
 * events in the turbulence home, and a dashboard watching the same home shows them live, without `--ui URL`.
 *
 *   $TURBULENCE_HOME/sessions/<key>.json     {key, pid, startTime, host, command, title, startedAt, endedAt?}
 *   $TURBULENCE_HOME/sessions/<key>.ndjson   the process's events, one JSON object a line, appended in order
 *
 * One session per process; its owner writes both files (the record atomically, the events appended), anyone reads
 * them. A session's events all belong to that process, which is how a dashboard attributes two runs at once.
 * Events too frequent to keep (`dns.query`) are left out. Sessions whose owner is gone are pruned after a day.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EVENT_CHANNELS, type AnyEvent, type EventSource } from '../core/events.js';
import { redactArgv } from '../core/argv.js';
import { writeFileAtomicSync } from '../os/atomic.js';
import { sessionsDir } from '../os/home.js';
import { isSameProcess, startTimeOfSync } from '../os/proc.js';

/** A session's record (`<key>.json`). */
export interface SessionRecord {
  key: string;
  pid: number;
  startTime?: string;
  host: string;
  /** `run`, `fault inject`, `monkey run`. */
  command: string;
  /** What it works on, for humans: the experiment or schedule file, or the fault kind. */
  title: string;
  cmd: string;
  /** ISO-8601. */
  startedAt: string;
  endedAt?: string;
}

/** Events not recorded: one per DNS query would swamp the file. */
const SKIPPED = new Set(['dns.query']);
const SOURCES = Object.keys(EVENT_CHANNELS) as EventSource[];
const KEEP_MS = 24 * 60 * 60 * 1000;

/** A session being recorded; `close()` stamps its end and stops listening. */
export interface SessionWriter {
  record: SessionRecord;
  close(): void;
}

/**
 * Records this process's events (every `turbulence:*` diagnostics channel) as a session in `dir`. Writes are
 * synchronous appends, so the file keeps event order and nothing is lost when the CLI exits right after.
 *
 * @example
 * const session = recordSession({ command: 'run', title: 'experiment.yaml' });
 * // ... the run ...
 * session.close();
 */
export function recordSession(options: { command: string; title: string; dir?: string }): SessionWriter {
  const dir = options.dir ?? sessionsDir();
  const started = new Date();
  const key = `${started.getTime().toString(36)}-${process.pid}`;
  const startTime = startTimeOfSync(process.pid);
  const record: SessionRecord = {
    key,
    pid: process.pid,
    ...(startTime !== undefined ? { startTime } : {}),
    host: hostname(),
    command: options.command,
    title: options.title,
    cmd: redactArgv(process.argv).join(' ').slice(0, 500),
    startedAt: started.toISOString(),
  };
  const events = join(dir, `${key}.ndjson`);
  writeFileAtomicSync(join(dir, `${key}.json`), JSON.stringify(record));
  writeFileAtomicSync(events, '');
  let broken = false;
  const onEvent = (message: unknown): void => {
    const e = message as AnyEvent;
    if (broken || SKIPPED.has(e.type)) return;
    try {
      appendFileSync(events, `${JSON.stringify(e)}\n`);
    } catch {
      broken = true; // a full or read-only home costs the dashboard view, never the run
    }
  };
  for (const s of SOURCES) subscribe(EVENT_CHANNELS[s], onEvent);
  void pruneSessions(dir, key);
  return {
    record,
    close() {
      for (const s of SOURCES) unsubscribe(EVENT_CHANNELS[s], onEvent);
      record.endedAt = new Date().toISOString();
      try {
        writeFileAtomicSync(join(dir, `${key}.json`), JSON.stringify(record));
      } catch {
        // as above
      }
    },
  };
}

/** Commands recorded as sessions: `run`, `demo`, `fault inject`, `monkey run` (by their path, e.g. `fault inject`). */
const RECORDED = new Set(['run', 'demo', 'fault inject', 'monkey run']);
/** Commands whose sessions carry their own run events (the others are shown as a run named after the command). */
export const RUNS_THEMSELVES: ReadonlySet<string> = new Set(['run', 'demo']);

/**
 * The session a CLI command should record, or undefined: `path` is the command path (`fault inject`), `args` its
 * arguments (the first names what it works on), `opts` its flags. A run that posts to a dashboard (`--ui URL`)
 * records no session: that dashboard gets its events once, from the post.
 */
export function sessionFor(
  path: string,
  args: readonly unknown[],
  opts: Record<string, unknown>,
): { command: string; title: string } | undefined {
  if (!RECORDED.has(path) || typeof opts.ui === 'string') return undefined;
  return { command: path, title: typeof args[0] === 'string' ? args[0] : '' };
}

/** True while the session's owner runs (same host, same pid and start time). */
export async function sessionAlive(record: SessionRecord): Promise<boolean> {
  if (record.host !== hostname() || record.endedAt !== undefined) return false;
  return record.startTime !== undefined ? isSameProcess(record.pid, record.startTime) : false;
}

/** Reads a session record; undefined when it is missing or not one. */
export async function readSession(file: string): Promise<SessionRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as SessionRecord;
    return typeof r.key === 'string' && typeof r.pid === 'number' && typeof r.command === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Removes sessions (record and events) whose owner is gone and that were last written over a day ago. */
async function pruneSessions(dir: string, keep: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const key = /^(.+)\.json$/.exec(name)?.[1];
    if (!key || key === keep) continue;
    const events = await stat(join(dir, `${key}.ndjson`)).catch(() => undefined);
    if (events && now - events.mtimeMs < KEEP_MS) continue;
    const record = await readSession(join(dir, name));
    if (record && (await sessionAlive(record))) continue;
    await rm(join(dir, `${key}.ndjson`), { force: true }).catch(() => undefined);
    await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}
