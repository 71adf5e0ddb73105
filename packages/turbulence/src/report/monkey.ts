/**
 * Monkey logs in the report: a `turbulence monkey run` log (`$TURBULENCE_HOME/monkey/<name>/events.jsonl`, or its
 * directory) drawn as a multi-day timeline, one lane per group, the days of the schedule's time zone as columns.
 *
 *   lanes      Mon 30   Tue 01   Wed 02 ...
 *   group A     ▨         ○         ▨        ▨ fault injected (hatched; width = how long it lasted, at least a tick)
 *   group B          ⬚        ▨               ○ drawn and skipped (why: in the title)  ⬚ leashed (decided only)
 *              │ halted            │ resumed  vertical markers
 *
 * Times come from each decision's `due` (schedule time, with its UTC offset); how long a fault lasted comes from its
 * `fault.injected` and `fault.reverted` events (wall clock: an accelerated `--clock-speed` run shows them shorter).
 * Markers that carry no `due` (halt, resume, stop) are placed from the nearest earlier decision. Pure: no I/O.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

/** One decision of the monkey: an entry of its time line and what became of it. */
export interface MonkeyEntry {
  entry: string;
  group: string;
  kind: string;
  /** Epoch ms of the due time, and as the log wrote it (schedule time zone). */
  due: number;
  dueText: string;
  outcome: 'injected' | 'skipped' | 'leashed' | 'scheduled';
  reason?: string;
  targets: string[];
  faults: { id: string; target: string; lastedMs: number | null; revertedBy: string | null }[];
}

/** A monkey log as the report draws it. */
export interface MonkeyModel {
  source: string;
  runId: string;
  schedule: string;
  seed: number | null;
  origin: string | null;
  /** Minutes east of UTC of the schedule's time zone (from the first due time). */
  offsetMin: number;
  entries: MonkeyEntry[];
  markers: { at: number; label: string }[];
  stopped: string | null;
}

type Line = Record<string, unknown> & { type: string; at: string };

/** True when `text` looks like a monkey log (its first event is a `monkey.*` one). */
export function isMonkeyLog(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && /"type"\s*:\s*"monkey\./.test(first);
}

/**
 * Parses a monkey log (`events.jsonl`); a line that is not JSON is an error at `source:line:col`.
 *
 * @example
 * const monkey = parseMonkeyLog(await readFile('events.jsonl', 'utf8'), 'events.jsonl');
 */
export function parseMonkeyLog(text: string, source: string): MonkeyModel {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const v = JSON.parse(raw) as Line;
      if (typeof v.type === 'string' && typeof v.at === 'string') lines.push(v);
    } catch (err) {
      throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `not a monkey log line: ${(err as Error).message}`, {
        location: { file: source, line: i + 1, column: 1 },
        hint: 'pass $TURBULENCE_HOME/monkey/<name>/events.jsonl (or its directory) as written by `turbulence monkey run`',
      });
    }
  });
  const started = lines.find((l) => l.type === 'monkey.started');
  const entries = new Map<string, MonkeyEntry>();
  const injectedAt = new Map<string, number>();
  const anchors: { real: number; due: number }[] = [];
  const markers: { real: number; label: string }[] = [];
  let stopped: string | null = null;
  let offsetMin = 0;
  for (const l of lines) {
    const real = Date.parse(l.at);
    if (typeof l.entry === 'string' && typeof l.due === 'string') {
      const due = Date.parse(l.due);
      if (entries.size === 0) offsetMin = offsetOf(l.due);
      anchors.push({ real, due });
      const e = entries.get(l.entry) ?? {
        entry: l.entry,
        group: String(l.group),
        kind: String(l.kind),
        due,
        dueText: l.due,
        outcome: 'scheduled' as const,
        targets: [],
        faults: [],
      };
      entries.set(l.entry, e);
      if (Array.isArray(l.targets)) e.targets = l.targets.map((t) => String((t as { name?: unknown }).name ?? t));
      if (l.type === 'monkey.skipped') Object.assign(e, { outcome: 'skipped', reason: String(l.reason) });
      if (l.type === 'monkey.leashed') e.outcome = 'leashed';
      if (l.type === 'monkey.injected' && Array.isArray(l.faults)) {
        e.outcome = 'injected';
        e.faults = (l.faults as { id: string; target: { name: string } }[]).map((f) => ({
          id: f.id,
          target: f.target.name,
          lastedMs: null,
          revertedBy: null,
        }));
      }
    }
    if (l.type === 'fault.injected' && typeof l.id === 'string') injectedAt.set(l.id, real);
    if (l.type === 'fault.reverted' && typeof l.id === 'string') {
      for (const e of entries.values()) {
        const f = e.faults.find((x) => x.id === l.id);
        const from = injectedAt.get(l.id);
        if (f && f.revertedBy === null)
          Object.assign(f, { revertedBy: String(l.reason), lastedMs: from === undefined ? null : real - from });
      }
    }
    if (l.type === 'monkey.halted') markers.push({ real, label: `halted: ${String(l.reason)}` });
    if (l.type === 'monkey.resumed') markers.push({ real, label: 'resumed' });
    if (l.type === 'monkey.stopped') {
      stopped = String(l.reason);
      markers.push({ real, label: `stopped: ${stopped}` });
    }
  }
  if (!started && entries.size === 0) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, 'no monkey events in this file', {
      location: { file: source },
      hint: 'a monkey log starts with monkey.started; see `turbulence monkey run`',
    });
  }
  // A marker without a due time sits where the schedule was at that moment: after the last decision before it.
  const place = (real: number): number => {
    const before = anchors.filter((a) => a.real <= real).at(-1) ?? anchors[0];
    return before ? before.due + (real - before.real) : real;
  };
  return {
    source,
    runId: typeof started?.runId === 'string' ? started.runId : 'monkey',
    schedule: typeof started?.schedule === 'string' ? started.schedule : '—',
    seed: typeof started?.seed === 'number' ? started.seed : null,
    origin: typeof started?.origin === 'string' ? started.origin : null,
    offsetMin,
    entries: [...entries.values()].sort((a, b) => a.due - b.due),
    markers: markers.map((m) => ({ at: place(m.real), label: m.label })),
    stopped,
  };
}

function offsetOf(text: string): number {
  const m = /([+-])(\d\d):(\d\d)$/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Counts per outcome. */
export function monkeyCounts(m: MonkeyModel): Record<MonkeyEntry['outcome'], number> {
  const c = { injected: 0, skipped: 0, leashed: 0, scheduled: 0 };
  for (const e of m.entries) c[e.outcome]++;
  return c;
}
