/**
 * The dashboard's side of the shared state (see `sessions.ts`): it watches `$TURBULENCE_HOME/sessions/` and feeds
 * each session's new events into the hub with the session as their origin, so runs, `fault inject` and monkeys in
 * other terminals appear live, each attributed to its own process.
 *
 *   fs.watch(sessions/) ─┐
 *   poll every 2 s ──────┴─▶ new <key>.json? (owner alive, or started after the dashboard) ─▶ follow it
 *                          └─▶ <key>.ndjson grew? ─▶ read the new whole lines ─▶ hub.add(event, "session:<key>")
 *
 * A `fault inject` or `monkey run` session has no run events of its own: it is shown as a run titled after its
 * command, started when the session started and ended when its process ends. A run whose process died without
 * `run.ended` is shown ended `interrupted`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stamp, type AnyEvent } from '../core/events.js';
import { timestamp } from '../experiment/journal.js';
import { ensurePrivateDir } from '../os/atomic.js';
import { invalidEvent, type EventHub } from './hub.js';
import { RUNS_THEMSELVES, readSession, sessionAlive, type SessionRecord } from './sessions.js';

interface Followed {
  record: SessionRecord;
  offset: number;
  partial: string;
  /** The run id shown for a session without run events of its own. */
  synthetic?: string;
  /** A run started and not yet ended in this session. */
  open: boolean;
  done: boolean;
  reading?: Promise<void>;
}

/** Options of {@link watchSessions}. */
export interface SessionWatchOptions {
  /** How often to look for new sessions and ended owners (default 2 s; the watch makes most updates immediate). */
  pollMs?: number;
}

/**
 * Follows every session in `dir` into `hub`; `close()` stops.
 *
 * @example
 * const sessions = await watchSessions(sessionsDir(), hub);
 * // ...
 * sessions.close();
 */
export async function watchSessions(
  dir: string,
  hub: EventHub,
  options: SessionWatchOptions = {},
): Promise<{ close(): void; sessions(): SessionRecord[] }> {
  await ensurePrivateDir(dir);
  const since = Date.now();
  const followed = new Map<string, Followed>();
  const ignored = new Set<string>();
  let closed = false;

  const add = (f: Followed, event: AnyEvent) => hub.add(event, `session:${f.record.key}`);

  const discover = async (key: string): Promise<void> => {
    if (followed.has(key) || ignored.has(key)) return;
    const record = await readSession(join(dir, `${key}.json`));
    if (!record || followed.has(key)) return;
    const fresh = Date.parse(record.startedAt) >= since - 1000;
    if (!fresh && !(await sessionAlive(record))) return void ignored.add(key);
    const f: Followed = { record, offset: 0, partial: '', open: false, done: false };
    followed.set(key, f);
    if (!RUNS_THEMSELVES.has(record.command)) {
      f.synthetic = `${record.command.replace(/\W+/g, '-')}-${key}`;
      f.open = true;
      add(f, syntheticStart(f.synthetic, record));
    }
    await read(f);
  };

  const read = (f: Followed): Promise<void> => {
    f.reading ??= readNew(f).finally(() => (f.reading = undefined));
    return f.reading;
  };
  const readNew = async (f: Followed): Promise<void> => {
    const file = await open(join(dir, `${f.record.key}.ndjson`)).catch(() => undefined);
    if (!file) return;
    try {
      const { size } = await file.stat();
      if (size <= f.offset) return;
      const buf = Buffer.alloc(size - f.offset);
      const { bytesRead } = await file.read(buf, 0, buf.length, f.offset);
      f.offset += bytesRead;
      const lines = (f.partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      f.partial = lines.pop() ?? '';
      for (const line of lines) {
        const event = parse(line);
        if (!event) continue;
        if (event.type === 'run.started') f.open = true;
        if (event.type === 'run.ended') f.open = false;
        add(f, event);
      }
    } finally {
      await file.close();
    }
  };

  /** Ends what a finished (or dead) owner left open. */
  const settle = async (f: Followed): Promise<void> => {
    const record = (await readSession(join(dir, `${f.record.key}.json`))) ?? f.record;
    if (await sessionAlive(record)) return;
    await read(f);
    f.done = true;
    if (!f.open) return;
    const end = record.endedAt ? Date.parse(record.endedAt) : Date.now();
    const status = f.synthetic ? 'completed' : 'interrupted';
    const duration = (end - Date.parse(record.startedAt)) / 1000;
    add(f, stamp('run', { type: 'run.ended', status, deviated: false, duration }, new Date(end)));
    f.open = false;
  };

  const scan = async (): Promise<void> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const key = /^(.+)\.json$/.exec(name)?.[1];
      if (key) await discover(key);
    }
    for (const f of followed.values()) if (!f.done) await settle(f);
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_type, name) => {
      if (closed || typeof name !== 'string') return;
      const key = /^(.+)\.(ndjson|json)$/.exec(name)?.[1];
      if (!key || key.startsWith('.')) return;
      const f = followed.get(key);
      void (f ? read(f) : discover(key)).catch(() => undefined);
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined; // the poll still finds everything, only later
  }
  await scan();
  const poll = setInterval(() => void scan().catch(() => undefined), options.pollMs ?? 2000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearInterval(poll);
      watcher?.close();
    },
    sessions: () => [...followed.values()].map((f) => f.record),
  };
}

function parse(line: string): AnyEvent | undefined {
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return invalidEvent(value) === undefined ? (value as AnyEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** The run a `fault inject` or `monkey run` session is shown as. */
function syntheticStart(runId: string, record: SessionRecord): AnyEvent {
  const title = `${record.command} ${record.title}`.trim();
  return stamp(
    'run',
    {
      type: 'run.started',
      runId,
      title,
      seed: null,
      dry: null,
      strict: false,
      start: timestamp(Date.parse(record.startedAt)),
      experiment: { title, description: `turbulence ${record.command} (pid ${record.pid})`, method: [] },
    },
    new Date(record.startedAt),
  );
}
