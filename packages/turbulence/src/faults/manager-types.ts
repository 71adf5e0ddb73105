/**
 * @module Types of the `FaultManager`'s public surface: the faults it tracks, its events, its options.
 */
import type { TurbulenceError } from '../core/errors.js';
import type { BlastRadius, Target } from '../core/fault.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Rng } from '../core/rng.js';
import type { SelectionMode } from '../core/selector.js';
import type { InjectedFault } from '../core/fault.js';
import type { Ledger } from './ledger.js';
import type { EventEnvelope } from '../core/events.js';

/** A fault in effect, as the manager tracks it. */
export interface ActiveFault extends InjectedFault {
  params: JsonObject;
  state?: JsonValue;
  /** The activity (or CLI command) that injected it. */
  activity: string;
  /** Epoch ms when it took effect. */
  injectedAt: number;
  /** Its duration: the spec's, or the blast radius's cap for a fault without one. */
  durationMs?: number;
}

/** A revert that failed (the fault stays in the ledger for `turbulence recover`). */
export interface RevertFailure {
  id: string;
  kind: string;
  target: Target;
  error: TurbulenceError;
}

/** Events of a {@link FaultManager}; the runner turns them into run events. */
export interface FaultManagerEvents {
  'fault-injected': [fault: ActiveFault];
  /** `reason`: `expired`, `reverted` (revert(id)), or the reason given to revertAll (e.g. `rollback`). */
  /** `note`: what revert really did, when not simply "undone" (see `FaultDriver.revert`). */
  /** `revertedAt`: epoch ms of the revert (earlier than now when it was reverted elsewhere, e.g. the dashboard). */
  'fault-reverted': [fault: ActiveFault & { reason: string; note?: string; revertedAt?: number }];
  'fault-expired': [fault: ActiveFault];
  'fault-failed': [
    info: { kind: string; id?: string; target?: Target; phase: 'inject' | 'verify' | 'revert'; error: TurbulenceError },
  ];
  /** Each of the above in the one event envelope (see `faults/events.ts`). */
  event: [event: FaultEvent];
}

/** Options of a {@link FaultManager}. */
export interface FaultManagerOptions {
  /** The run's RNG; the manager takes a fork named `faults`. */
  rng: Rng;
  runId?: string;
  blastRadius?: BlastRadius;
  ledger?: Ledger;
  /** State directory for the default ledger (default `$TURBULENCE_HOME` or `~/.turbulence`). */
  home?: string;
  /** The run's interrupt signal: new injections are refused once it aborts. */
  signal?: AbortSignal;
  /** Resolve and select only: nothing is recorded or injected. */
  dryRun?: boolean;
  /**
   * Start the detached guardian with the first fault that has a duration, so it reverts at expiry even when
   * this process is gone (default true; `TURBULENCE_GUARDIAN=off` disables it everywhere).
   */
  guardian?: boolean;
  /**
   * Picks among the guarded candidates (default `core/selector.ts` `select`). The monkey passes the targets it
   * already chose, so the ones its safety checks looked at are the ones injected.
   */
  choose?: (candidates: readonly Target[], mode: SelectionMode, rng: Rng) => Target[];
}

/** A target as events carry it: id and human name. */
export interface EventTarget {
  id: string;
  name: string;
}

export type FaultEvent =
  | (EventEnvelope<'fault', 'fault.injected'> & {
      id: string;
      kind: string;
      runId: string | null;
      activity: string;
      target: EventTarget;
      state: JsonValue | null;
      /** Epoch ms when it took effect. */
      injectedAt: number;
      expiresAt?: number;
    })
  | (EventEnvelope<'fault', 'fault.expired'> & { id: string; kind: string; runId: string | null; target: EventTarget })
  | (EventEnvelope<'fault', 'fault.reverted'> & {
      id: string;
      kind: string;
      runId: string | null;
      target: EventTarget;
      /** `expired`, `reverted`, or the reason given to revertAll (`run-end`, `interrupt`, `abort`, ...). */
      reason: string;
      /** What the revert really did, when it did not simply undo the fault (`nothing to undo: ...`). */
      note?: string;
    })
  | (EventEnvelope<'fault', 'fault.failed'> & {
      id?: string;
      kind: string;
      target?: EventTarget;
      phase: 'inject' | 'verify' | 'revert';
      error: string;
      code: string;
    });
