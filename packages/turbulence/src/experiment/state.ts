/**
 * The mutable state of one run, and the only place its status changes. Terminal transitions are first-wins:
 * once a run is `interrupted` or `aborted`, a later failure does not overwrite it.
 */
import type { RunEvents } from './events.js';
import type { RunStatus } from './policy.js';

export class RunState {
  status: RunStatus | null = null;
  deviated = false;
  /** The hypothesis before the method was not met (the method did not run). */
  gateNotMet = false;
  /** Set by fail-fast: the method stops after its current activity. */
  stopMethod = false;
  /** Aborted on interrupt and abort: in-flight providers stop. */
  readonly controller = new AbortController();

  constructor(private readonly events: RunEvents) {}

  /** True once the run is interrupted, aborted or failed: the method must not go on. */
  get stopped(): boolean {
    return this.status === 'interrupted' || this.status === 'aborted' || this.status === 'failed' || this.stopMethod;
  }

  /** Interrupt (signal, control): status `interrupted`, in-flight activities are cancelled. */
  interrupt(reason: string): void {
    if (this.status === 'interrupted' || this.status === 'aborted') return;
    this.status = 'interrupted';
    this.events.emit({ type: 'run.interrupted', reason });
    this.controller.abort(new Error(reason));
  }

  /** Abort (abort condition, `on-fail: abort`, max duration, runner error): status `aborted`. */
  abort(reason: string): void {
    if (this.status === 'interrupted' || this.status === 'aborted') return;
    this.status = 'aborted';
    this.events.emit({ type: 'run.aborted', reason });
    this.controller.abort(new Error(reason));
  }

  /** Fail (fail-fast, `on-fail: fail`): status `failed`, the method stops after the current activity. */
  fail(): void {
    if (this.status === 'interrupted' || this.status === 'aborted') return;
    this.status = 'failed';
    this.stopMethod = true;
  }
}
