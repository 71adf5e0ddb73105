/**
 * Run events: the one stream a run produces. The journal writer, the terminal renderer, `--json` output, the
 * JUnit writer and (later) the dashboard all listen; the runner itself never prints.
 */
import type { HypothesisOutcome, Journal, RunRecord } from './journal.js';
import type { RollbacksDecision, RunStatus } from './policy.js';

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

export type RunEvent =
  | { type: 'run-started'; runId: string; title: string; seed: number; dry: string | null; strict: boolean }
  | { type: 'warning'; message: string }
  | { type: 'hypothesis-started'; phase: Phase; title: string; iteration?: number }
  | { type: 'hypothesis-completed'; phase: Phase; outcome: HypothesisOutcome; iteration?: number }
  | { type: 'method-started'; activities: number }
  | { type: 'method-completed' }
  | {
      type: 'activity-started';
      phase: Phase;
      name: string;
      kind: 'probe' | 'action';
      describe: string;
      background: boolean;
    }
  | { type: 'activity-completed'; phase: Phase; record: RunRecord; skipped?: 'dry' }
  | { type: 'pause'; phase: Phase; name: string; when: 'before' | 'after'; seconds: number }
  | { type: 'fault-injected'; id: string; kind: string; target: string; activity: string; expiresAt?: number }
  | { type: 'fault-reverted'; id: string; kind: string; target: string; by: string }
  | { type: 'fault-revert-failed'; id: string; kind: string; target: string; error: string }
  | { type: 'abort'; reason: string }
  | { type: 'interrupted'; reason: string }
  | { type: 'rollbacks-decision'; decision: RollbacksDecision }
  | { type: 'rollbacks-started'; count: number }
  | { type: 'rollbacks-completed' }
  | { type: 'run-completed'; status: RunStatus; deviated: boolean; journal: Journal; exitCode: number };

export type RunEventListener = (event: RunEvent) => void;

/** Fans events out to listeners; a listener that throws is reported as a warning and never breaks the run. */
export class RunEvents {
  private readonly listeners: RunEventListener[] = [];

  on(listener: RunEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        if (event.type !== 'warning') this.emit({ type: 'warning', message: `event listener failed: ${String(err)}` });
      }
    }
  }
}
