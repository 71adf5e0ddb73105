/**
 * The journal: Chaos Toolkit's `journal.json` shape (same keys, statuses and record layout, so its reporting tools
 * read ours), plus turbulence's fields: `turbulence-version`, `run_id`, `seed`, `faults`, `reverts`,
 * `rollbacks_decision`, `abort`, `strict`, `steady_state_gate`.
 */
import type { ProbeStatus } from './probe-modes-schema.js';
import type { LitmusResults } from './formats/verdict-types.js';
import type { Activity, DryMode, Experiment } from './types.js';
import type { RollbacksDecision, RunStatus } from './policy.js';

/** One executed activity (Chaos Toolkit §6.3). */
export interface RunRecord {
  activity: Activity;
  output: unknown;
  start: string;
  status: 'succeeded' | 'failed' | null;
  end?: string;
  duration?: number;
  exception?: string[];
  /** Hypothesis probes (and, ours, method probes with a tolerance). */
  tolerance_met?: boolean;
  /** Ours: why the tolerance was or was not met. */
  tolerance_reason?: string;
}

export interface HypothesisOutcome {
  steady_state_met: boolean;
  probes: RunRecord[];
}

/** A fault the run injected, as the journal records it. */
export interface JournalFault {
  id: string;
  kind: string;
  activity: string;
  target: { id: string; name: string };
  /** What the driver reported when it injected (e.g. which latency backend it chose). */
  state: unknown;
  injected_at: string;
  reverted_at: string | null;
  /** `duration` (expired), `run-end`, `abort`, `interrupt`, or an error message when the revert failed. */
  reverted_by: string | null;
  /** What the revert really did when it did not simply undo the fault (e.g. `nothing to undo: ...`). */
  revert_note?: string;
}

export interface Journal {
  'chaoslib-version': string;
  'turbulence-version': string;
  platform: string;
  node: string;
  run_id: string;
  seed: number;
  strict: boolean;
  experiment: Experiment & { dry: DryMode | null };
  start: string;
  end: string | null;
  duration: number | null;
  status: RunStatus | null;
  deviated: boolean;
  /** Ours: `met`, `not-met` (the method did not run) or `skipped`. */
  steady_state_gate: 'met' | 'not-met' | 'skipped';
  steady_states: {
    before: HypothesisOutcome | null;
    after: HypothesisOutcome | null;
    during: HypothesisOutcome[];
  };
  run: RunRecord[];
  /** Ours: per-action `revert` activities that ran (reverse order of their actions). */
  reverts: RunRecord[];
  rollbacks: RunRecord[];
  rollbacks_decision: RollbacksDecision | null;
  faults: JournalFault[];
  /** Ours: what aborted the run, when it was aborted. */
  abort: { reason: string; at: string } | null;
  /** Ours: results of the method's modal probes (Litmus probe modes), when it has any. */
  probes?: ProbeStatus[];
  /** Ours: a LitmusChaos engine's ChaosResult-style verdicts and resilience score (`turbulence run`). */
  litmus?: LitmusResults;
}

/** Chaos Toolkit's timestamp form: `2024-05-01T12:00:00.123000+00:00`. */
export function timestamp(ms: number = Date.now()): string {
  // toISOString() is always `YYYY-MM-DDTHH:mm:ss.sssZ` for dates in years 0-9999.
  return `${new Date(ms).toISOString().slice(0, 23)}000+00:00`;
}

/** Formats an error as Chaos Toolkit's `exception` lines. */
export function exceptionLines(err: unknown): string[] {
  if (err instanceof Error) {
    const name = (err as { code?: string }).code === 'TURB_ERR_ACTIVITY_FAILED' ? 'ActivityFailed' : err.name;
    return [`${name}: ${err.message}\n`];
  }
  return [`Error: ${String(err)}\n`];
}

/** Turns values that JSON cannot hold (bigint, Buffer, functions, cycles) into strings. */
export function toJsonSafe(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object') {
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, seen));
    if (value instanceof Map) return toJsonSafe(Object.fromEntries(value), seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonSafe(v, seen);
    return out;
  }
  return typeof value;
}
