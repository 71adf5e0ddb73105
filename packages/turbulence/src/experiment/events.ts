/**
 * Run events: the one stream a run produces, in the one envelope of `core/events.ts` (source `run`, published on
 * `turbulence:run`), plus the run's fault manager events forwarded (source `fault`). The journal writer, the
 * terminal renderer, `--json` output, the JUnit writer and (later) the dashboard all listen; the runner itself
 * never prints and never touches the journal.
 */
import { EventBus, stamp, type EventEnvelope, type Unstamped } from '../core/events.js';
import type { FaultEvent } from '../faults/events.js';
import type { HypothesisOutcome, Journal, RunRecord } from './journal.js';
import type { RollbacksDecision, RunStatus } from './policy.js';
import type { DryMode, Experiment } from './types.js';
import type { ProbeStatus } from './probe-modes-schema.js';

/** Where in the run an activity runs. */
export type Phase =
  | 'configuration'
  | 'hypothesis-before'
  | 'hypothesis-during'
  | 'hypothesis-after'
  | 'method'
  | 'revert'
  | 'rollback'
  | 'abort-condition';

type R<T extends string, P> = EventEnvelope<'run', T> & P;

/** Events the runner itself emits (source `run`). */
export type RunOwnEvent =
  | R<
      'run.started',
      {
        runId: string;
        title: string;
        seed: number;
        dry: DryMode | null;
        strict: boolean;
        /** Chaos Toolkit timestamp of the start of the run. */
        start: string;
        /** The experiment as the journal records it (JSON-safe, before `${...}` substitution). */
        experiment: Experiment;
      }
    >
  | R<'run.warning', { message: string }>
  | R<'hypothesis.started', { phase: Phase; title: string; iteration?: number }>
  | R<'hypothesis.finished', { phase: Phase; outcome: HypothesisOutcome; iteration?: number }>
  | R<'method.started', { activities: number }>
  | R<'method.finished', object>
  | R<
      'activity.started',
      {
        phase: Phase;
        name: string;
        kind: 'probe' | 'action';
        describe: string;
        background: boolean;
        /** The record being filled: `status: null` until `activity.finished`. */
        record: RunRecord;
      }
    >
  | R<'activity.finished', { phase: Phase; record: RunRecord; skipped?: 'dry' }>
  | R<'activity.paused', { phase: Phase; name: string; when: 'before' | 'after'; seconds: number }>
  /** A modal probe's final result (Litmus probe modes), at the end of the activities it watched. */
  | R<'probe.status', { status: ProbeStatus }>
  | R<'run.aborted', { reason: string }>
  | R<'run.interrupted', { reason: string }>
  | R<'rollbacks.decided', { decision: RollbacksDecision }>
  | R<'rollbacks.started', { count: number }>
  | R<'rollbacks.finished', object>
  /** The run is over (reverts and rollbacks done); controls `after experiment` still run. */
  | R<'run.ended', { status: RunStatus; deviated: boolean; /** seconds */ duration: number }>
  | R<'run.finished', { status: RunStatus; deviated: boolean; journal: Journal; exitCode: number }>;

/** Every event of a run's stream. */
export type RunEvent = RunOwnEvent | FaultEvent;

/** What the runner passes to {@link RunEvents.emit}: `source` and `at` are stamped there. */
export type RunEventInput = Unstamped<RunOwnEvent>;

export type RunEventListener = (event: RunEvent) => void;

/**
 * The run's event bus. A listener that throws is reported as a `run.warning` and never breaks the run.
 *
 * @example
 * const events = new RunEvents();
 * events.on((e) => e.type === 'activity.finished' && console.log(e.record.activity.name, e.record.status));
 */
export class RunEvents {
  private readonly bus: EventBus<RunEvent> = new EventBus<RunEvent>({
    source: 'run',
    onListenerError: (err, event) => {
      if (event.type !== 'run.warning')
        this.emit({ type: 'run.warning', message: `event listener failed: ${String(err)}` });
    },
  });

  /** Subscribes; returns a function that unsubscribes. */
  on(listener: RunEventListener): () => void {
    return this.bus.on(listener);
  }

  /** Stamps (unless already stamped, as forwarded fault events are) and delivers an event. */
  emit(event: RunEventInput | RunEvent): void {
    this.bus.emit('source' in event ? event : stamp('run', event));
  }
}
