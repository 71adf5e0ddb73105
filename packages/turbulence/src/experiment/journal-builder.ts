/**
 * The journal is a listener: {@link JournalBuilder} subscribes to a run's events and builds Chaos Toolkit's
 * journal from them alone. The runner never writes a journal field; it only emits.
 *
 *   run.started          → the journal, status null (`running` on disk)
 *   hypothesis.finished  → steady_states.before / after / during[], steady_state_gate
 *   activity.started     → the record appended to run / reverts / rollbacks (status null while it runs)
 *   fault.*              → faults[] (injected_at, reverted_at, reverted_by)
 *   run.aborted          → abort
 *   rollbacks.decided    → rollbacks_decision
 *   run.ended            → status, deviated, end, duration
 *
 * After each event that ends a phase, the builder calls its phase listeners (the journal file writes then).
 */
import { platform, release, arch, hostname } from 'node:os';
import { VERSION } from '../version.js';
import type { RunEvent } from './events.js';
import { timestamp, type Journal, type JournalFault, type RunRecord } from './journal.js';

/** Events after which the journal on disk is brought up to date. */
const PHASE_ENDS = new Set<RunEvent['type']>([
  'run.started',
  'hypothesis.finished',
  'activity.started',
  'activity.finished',
  'method.finished',
  'fault.injected',
  'fault.reverted',
  'fault.failed',
  'run.aborted',
  'run.interrupted',
  'rollbacks.decided',
  'rollbacks.finished',
  'run.ended',
  'run.finished',
]);

export type PhaseListener = (journal: Journal, event: RunEvent) => void;

/**
 * Builds a run's journal from its events.
 *
 * @example
 * const journal = new JournalBuilder();
 * events.on(journal.listener);
 * await runExperiment(experiment, { events });
 * journal.current; // the journal, built from events alone
 */
export class JournalBuilder {
  private journal: Journal | undefined;
  private readonly faults = new Map<string, JournalFault>();
  private readonly phaseListeners: PhaseListener[] = [];

  /** The journal so far (undefined before `run.started`). */
  get current(): Journal | undefined {
    return this.journal;
  }

  /** Called after every event that ends a phase, with the journal up to date. */
  onPhase(listener: PhaseListener): void {
    this.phaseListeners.push(listener);
  }

  /** The event listener: pass it to `RunEvents.on`. */
  readonly listener = (event: RunEvent): void => {
    if (event.type === 'run.started') this.journal = initialJournal(event);
    const j = this.journal;
    if (!j) return;
    apply(j, event, this.faults);
    if (!PHASE_ENDS.has(event.type)) return;
    // Probes of the hypothesis and of abort conditions change the journal only through `hypothesis.finished`.
    if ((event.type === 'activity.started' || event.type === 'activity.finished') && !recordsOf(j, event.phase)) return;
    for (const l of this.phaseListeners) l(j, event);
  };
}

function apply(j: Journal, e: RunEvent, faults: Map<string, JournalFault>): void {
  switch (e.type) {
    case 'hypothesis.finished':
      if (e.phase === 'hypothesis-before') {
        j.steady_states.before = e.outcome;
        j.steady_state_gate = e.outcome.steady_state_met ? 'met' : 'not-met';
      } else if (e.phase === 'hypothesis-after') j.steady_states.after = e.outcome;
      else if (e.phase === 'hypothesis-during') j.steady_states.during.push(e.outcome);
      return;
    case 'activity.started':
      recordsOf(j, e.phase)?.push(e.record);
      return;
    case 'fault.injected': {
      const entry: JournalFault = {
        id: e.id,
        kind: e.kind,
        activity: e.activity,
        target: { id: e.target.id, name: e.target.name },
        state: e.state,
        injected_at: timestamp(e.injectedAt),
        reverted_at: null,
        reverted_by: null,
      };
      faults.set(e.id, entry);
      j.faults.push(entry);
      return;
    }
    case 'fault.reverted': {
      // The first revert wins: a fault the dashboard reverted stays `ui` when the run's end reports it again.
      const entry = faults.get(e.id);
      if (entry && entry.reverted_at === null) {
        entry.reverted_at = timestamp(Date.parse(e.at));
        entry.reverted_by = e.reason;
        if (e.note) entry.revert_note = e.note;
      }
      return;
    }
    case 'fault.failed': {
      const entry = e.phase === 'revert' && e.id ? faults.get(e.id) : undefined;
      if (entry) entry.reverted_by = `revert failed: ${e.error}`;
      return;
    }
    case 'probe.status':
      (j.probes ??= []).push(e.status);
      return;
    case 'run.aborted':
      j.abort = { reason: e.reason, at: timestamp(Date.parse(e.at)) };
      return;
    case 'rollbacks.decided':
      j.rollbacks_decision = e.decision;
      return;
    case 'run.ended':
      j.status = e.status;
      j.deviated = e.deviated;
      j.end = timestamp(Date.parse(e.at));
      j.duration = e.duration;
      return;
    default:
      return;
  }
}

/** The journal list an activity of a phase is recorded in (hypothesis probes are in their outcome). */
function recordsOf(j: Journal, phase: string): RunRecord[] | undefined {
  if (phase === 'method') return j.run;
  if (phase === 'revert') return j.reverts;
  if (phase === 'rollback') return j.rollbacks;
  return undefined;
}

function initialJournal(e: Extract<RunEvent, { type: 'run.started' }>): Journal {
  return {
    'chaoslib-version': '1.45.0',
    'turbulence-version': VERSION,
    platform: `${platform()}-${release()}-${arch()}`,
    node: hostname(),
    run_id: e.runId,
    seed: e.seed,
    strict: e.strict,
    experiment: { ...e.experiment, title: e.title, dry: e.dry },
    start: e.start,
    end: null,
    duration: null,
    status: null,
    deviated: false,
    steady_state_gate: 'skipped',
    steady_states: { before: null, after: null, during: [] },
    run: [],
    reverts: [],
    rollbacks: [],
    rollbacks_decision: null,
    faults: [],
    abort: null,
  };
}
