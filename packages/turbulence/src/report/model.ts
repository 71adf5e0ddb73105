/**
 * The report model: what the HTML report, the Markdown report and the dashboard show about a run, built from a
 * journal alone. It reads turbulence's journal and Chaos Toolkit's own `journal.json` (same keys minus ours:
 * no seed, no faults, timestamps without a zone); fields it does not know are ignored and named in `notes`.
 *
 *   journal (parsed JSON) ──buildRunModel──▶ RunModel ──▶ timeline SVG / HTML / Markdown / dashboard
 *
 * Pure: no I/O (reading files is `read.ts`).
 */
import { foreignVerdicts, type ForeignVerdicts } from './verdicts.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { gremlinScore, probeSuccess, type ProbeSuccess, type RunScore } from './score.js';

/** A fault window: from injection to revert (or to the end of the run when it was never reverted). */
export interface FaultWindow {
  id: string;
  kind: string;
  activity: string;
  target: string;
  /** Epoch milliseconds. */
  start: number;
  /** Epoch milliseconds; null when the journal says it was never reverted. */
  end: number | null;
  revertedBy: string | null;
}

/** One executed activity, flattened for the table. */
export interface ActivityRow {
  phase: 'hypothesis-before' | 'hypothesis-during' | 'hypothesis-after' | 'method' | 'revert' | 'rollback';
  name: string;
  type: string;
  status: string;
  start: number | null;
  end: number | null;
  /** Seconds. */
  duration: number | null;
  toleranceMet: boolean | null;
  toleranceReason: string | null;
  output: string;
  error: string | null;
}

/** Numeric probe values over time, with the tolerance bounds when the tolerance is a range. */
export interface ProbeSeries {
  name: string;
  bounds: [number, number] | null;
  points: { t: number; value: number; ok: boolean | null }[];
}

/** A vertical marker on the timeline. */
export interface Marker {
  t: number;
  kind: 'abort' | 'rollback' | 'interrupt';
  label: string;
}

/** An error the run recorded, with its code when it has one. */
export interface RunError {
  where: string;
  code: string | null;
  message: string;
}

/** Everything a report shows about one run. */
export interface RunModel {
  /** Where the journal came from (a file path, or `run` for `run --report`). */
  source: string;
  flavor: 'turbulence' | 'chaostoolkit';
  title: string;
  runId: string | null;
  /** `completed`, `failed`, `aborted`, `interrupted`, or `running` for a run that has not ended. */
  status: string;
  deviated: boolean;
  steadyBefore: 'met' | 'not met' | 'not run';
  steadyAfter: 'met' | 'not met' | 'not run';
  start: number;
  end: number | null;
  /** Seconds. */
  duration: number | null;
  seed: number | null;
  /** How to run the same choices again. */
  replay: string | null;
  score: RunScore;
  probes: ProbeSuccess;
  faults: FaultWindow[];
  activities: ActivityRow[];
  series: ProbeSeries[];
  markers: Marker[];
  errors: RunError[];
  /** Things the report could not use (unknown fields, unreadable values), said once each. */
  notes: string[];
  /** Litmus verdicts and PowerfulSeal scenario runs, when the run has any (`verdicts.ts`). */
  verdicts?: ForeignVerdicts;
}

const KNOWN_FIELDS = new Set([
  'chaoslib-version',
  'turbulence-version',
  'platform',
  'node',
  'run_id',
  'seed',
  'strict',
  'experiment',
  'start',
  'end',
  'duration',
  'status',
  'deviated',
  'steady_state_gate',
  'steady_states',
  'run',
  'reverts',
  'rollbacks',
  'rollbacks_decision',
  'faults',
  'abort',
  'extensions',
  'probes',
  'litmus',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Epoch milliseconds of a journal timestamp. Chaos Toolkit writes UTC without a zone
 * (`2024-05-01T12:00:00.123456`); turbulence writes `+00:00`. Both parse as UTC.
 */
export function parseTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const zoned = /([+-]\d\d:?\d\d|Z)$/.test(v) ? v : `${v}Z`;
  // Date.parse takes at most milliseconds in some engines: drop extra fraction digits.
  const ms = Date.parse(zoned.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Checks that `value` is a journal and builds its model; `source` names it in errors.
 *
 * @example
 * const run = buildRunModel(JSON.parse(readFileSync('journal.json', 'utf8')), 'journal.json');
 * run.score.value; // 100 when the run passed
 */
export function buildRunModel(value: unknown, source: string): RunModel {
  if (!isObj(value)) throw notAJournal(source, `it is ${Array.isArray(value) ? 'an array' : typeof value}`);
  const missing = ['experiment', 'start', 'run'].filter((k) => !(k in value));
  if (missing.length > 0) throw notAJournal(source, `it has no ${missing.join(', ')}`);
  const start = parseTime(value.start);
  if (start === null) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, '"start" is not a timestamp', {
      location: { file: source, path: ['start'] },
      hint: 'a journal says when its run started, e.g. "2026-05-01T12:00:00.000000+00:00"',
    });
  }
  const notes: string[] = [];
  const unknown = Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) notes.push(`ignored unknown field(s): ${unknown.join(', ')}`);
  const flavor = 'turbulence-version' in value ? 'turbulence' : 'chaostoolkit';
  const experiment = isObj(value.experiment) ? value.experiment : {};
  const states = isObj(value.steady_states) ? value.steady_states : {};
  const status = str(value.status) ?? 'running';
  const deviated = value.deviated === true;
  const raw = records(value, states);
  const activities = raw.map((r) => activityRow(r.phase, r.record));
  const faults = faultWindows(value);
  const seed = num(value.seed);
  const end = parseTime(value.end);
  const steadyBefore = steady(states.before);
  const steadyAfter = steady(states.after);
  const gateNotMet = value.steady_state_gate === 'not-met' || steadyBefore === 'not met';
  return {
    source,
    flavor,
    title: str(experiment.title) ?? '(untitled experiment)',
    runId: str(value.run_id),
    status,
    deviated,
    steadyBefore,
    steadyAfter,
    start,
    end,
    duration: num(value.duration),
    seed,
    replay: seed === null ? null : `turbulence run EXPERIMENT --seed ${seed}`,
    score: gremlinScore(status, deviated, gateNotMet, experiment.dry),
    probes: probeSuccess(activities),
    faults,
    activities,
    series: probeSeries(raw),
    markers: markers(value, activities),
    errors: runErrors(activities, faults),
    notes,
    verdicts: foreignVerdicts(value),
  };
}

function notAJournal(source: string, why: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.LOAD_FAILED, `not a journal: ${why}`, {
    location: { file: source },
    hint: 'pass the journal.json that `turbulence run` or `chaos run` wrote (it has experiment, start and run)',
  });
}

function steady(outcome: unknown): RunModel['steadyBefore'] {
  if (!isObj(outcome)) return 'not run';
  return outcome.steady_state_met === true ? 'met' : 'not met';
}

interface RawRecord {
  phase: ActivityRow['phase'];
  record: Obj;
}

/** Every activity record of the journal, in run order of phases. */
function records(j: Obj, states: Obj): RawRecord[] {
  const rows: RawRecord[] = [];
  const add = (phase: ActivityRow['phase'], list: unknown) => {
    for (const record of arr(list)) if (isObj(record)) rows.push({ phase, record });
  };
  if (isObj(states.before)) add('hypothesis-before', states.before.probes);
  for (const d of arr(states.during)) if (isObj(d)) add('hypothesis-during', d.probes);
  add('method', j.run);
  if (isObj(states.after)) add('hypothesis-after', states.after.probes);
  add('revert', j.reverts);
  add('rollback', j.rollbacks);
  return rows;
}

function activityRow(phase: ActivityRow['phase'], r: Obj): ActivityRow {
  const activity = isObj(r.activity) ? r.activity : {};
  const exception = arr(r.exception).filter((l): l is string => typeof l === 'string');
  return {
    phase,
    name: str(activity.name) ?? '(unnamed)',
    type: str(activity.type) ?? 'activity',
    status: str(r.status) ?? 'running',
    start: parseTime(r.start),
    end: parseTime(r.end),
    duration: num(r.duration),
    toleranceMet: typeof r.tolerance_met === 'boolean' ? r.tolerance_met : null,
    toleranceReason: str(r.tolerance_reason),
    output: summarize(r.output),
    error: exception.length > 0 ? exception.join('').trim() : null,
  };
}

/** A short, one-line text of an activity's output. */
function summarize(output: unknown): string {
  if (output === null || output === undefined) return '';
  if (isObj(output) && 'status' in output && 'body' in output) {
    return `status ${String(output.status)} ${JSON.stringify(output.body) ?? ''}`.slice(0, 200);
  }
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function faultWindows(j: Obj): FaultWindow[] {
  const out: FaultWindow[] = [];
  for (const f of arr(j.faults)) {
    if (!isObj(f)) continue;
    const start = parseTime(f.injected_at);
    if (start === null) continue;
    const target = isObj(f.target) ? (str(f.target.name) ?? str(f.target.id)) : null;
    out.push({
      id: str(f.id) ?? `fault-${out.length + 1}`,
      kind: str(f.kind) ?? 'fault',
      activity: str(f.activity) ?? '',
      target: target ?? '(unknown target)',
      start,
      end: parseTime(f.reverted_at),
      revertedBy: str(f.reverted_by),
    });
  }
  return out;
}

/**
 * The number a probe measured: a number, or an HTTP body that is one; the HTTP status when the tolerance is a
 * bare number (an expected status).
 */
export function probeValue(output: unknown, tolerance?: unknown): number | null {
  if (typeof output === 'number' && Number.isFinite(output)) return output;
  if (!isObj(output)) return null;
  if (typeof tolerance === 'number' && typeof output.status === 'number') return output.status;
  if (typeof output.body === 'number') return output.body;
  return null;
}

/** The bounds a tolerance draws: a range, or a number (a literal value, e.g. an HTTP status). */
function bounds(tolerance: unknown): [number, number] | null {
  if (typeof tolerance === 'number') return [tolerance, tolerance];
  if (!isObj(tolerance) || tolerance.type !== 'range') return null;
  const [lo, hi] = arr(tolerance.range);
  return typeof lo === 'number' && typeof hi === 'number' ? [lo, hi] : null;
}

function probeSeries(raw: RawRecord[]): ProbeSeries[] {
  const byName = new Map<string, ProbeSeries>();
  for (const { record } of raw) {
    const activity = isObj(record.activity) ? record.activity : {};
    const t = parseTime(record.start);
    const value = probeValue(record.output, activity.tolerance);
    if (activity.type !== 'probe' || t === null || value === null) continue;
    const name = str(activity.name) ?? '(unnamed)';
    let series = byName.get(name);
    if (!series) byName.set(name, (series = { name, bounds: bounds(activity.tolerance), points: [] }));
    const ok = typeof record.tolerance_met === 'boolean' ? record.tolerance_met : null;
    series.points.push({ t, value, ok });
  }
  return [...byName.values()].map((s) => ({ ...s, points: s.points.sort((a, b) => a.t - b.t) }));
}

function markers(j: Obj, rows: ActivityRow[]): Marker[] {
  const out: Marker[] = [];
  const abort = isObj(j.abort) ? j.abort : null;
  const at = abort ? parseTime(abort.at) : null;
  if (abort && at !== null) out.push({ t: at, kind: 'abort', label: `aborted: ${str(abort.reason) ?? ''}` });
  const firstRollback = rows.find((r) => r.phase === 'rollback' && r.start !== null);
  if (firstRollback?.start != null) out.push({ t: firstRollback.start, kind: 'rollback', label: 'rollbacks start' });
  if (j.status === 'interrupted' && parseTime(j.end) !== null) {
    out.push({ t: parseTime(j.end)!, kind: 'interrupt', label: 'interrupted' });
  }
  return out;
}

function runErrors(rows: ActivityRow[], faults: FaultWindow[]): RunError[] {
  const out: RunError[] = [];
  for (const r of rows) {
    if (!r.error) continue;
    // A stable code when there is one, else the exception class (`chaoslib.exceptions.ActivityFailed` → ActivityFailed).
    const cls = /(?:^|[\s.])([A-Z]\w*(?:Error|Failed|Exception))\b/m.exec(r.error.split('\n').reverse().join('\n'));
    const code = /\b(TURB_ERR_[A-Z_]+)\b/.exec(r.error)?.[1] ?? cls?.[1] ?? null;
    out.push({ where: `${r.phase} ${r.name}`, code, message: r.error });
  }
  for (const f of faults) {
    if (f.revertedBy?.startsWith('revert failed')) {
      out.push({ where: `revert of ${f.id}`, code: ErrorCodes.FAULT_REVERT_FAILED, message: f.revertedBy });
    }
  }
  return out;
}
