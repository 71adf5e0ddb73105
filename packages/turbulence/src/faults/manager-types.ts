/**
 * @module Types of the `FaultManager`'s public surface: the faults it tracks, its events, its options.
 */
import type { TurbulenceError } from '../core/errors.js';
import type { BlastRadius, Target } from '../core/fault.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Rng } from '../core/rng.js';
import type { InjectedFault } from '../providers/types.js';
import type { Ledger } from './ledger.js';
import type { FaultEvent } from './events.js';

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
  'fault-reverted': [fault: ActiveFault & { reason: string }];
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
}
