/**
 * The contract every provider (http, process, python, module, tcp, fault) implements. A provider is one file
 * under `providers/` plus one entry in `providers/index.ts`; the runner never switches on a provider type.
 */
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { FaultInjector } from '../core/fault.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Provider } from '../experiment/types.js';

export type { InjectedFault, FaultInjector } from '../core/fault.js';

/** Everything a provider call may use. */
export interface ProviderContext {
  /** Loaded configuration (after overrides and dynamic values). */
  configuration: Record<string, unknown>;
  /** Loaded secrets, by scope. */
  secrets: Record<string, Record<string, unknown>>;
  /** Aborted on interrupt, abort condition or timeout: providers must stop and clean up. */
  signal: AbortSignal;
  /** Directory of the experiment file (or the cwd): relative module paths resolve from here. */
  baseDir: string;
  /** The run's RNG. */
  rng: Rng;
  /** Strict mode (see docs/experiments.md): e.g. http honours `expected_status`. */
  strict: boolean;
  /** Present inside a run; absent in contexts that may not inject faults (configuration probes). */
  faults?: FaultInjector;
}

/** A problem a provider finds in its definition before anything runs (`validate`). */
export interface ProviderProblem {
  /** Key path below the provider object, e.g. `['path']`. */
  path: (string | number)[];
  message: string;
  hint?: string;
}

/**
 * One provider type.
 *
 * @example
 * export const tcpProvider: ProviderDefinition<TcpProvider> = {
 *   type: 'tcp', schema: tcpSchema, substitute: ['host', 'port', 'timeout'],
 *   run: (p, ctx) => connectCheck(p.host, Number(p.port), ctx.signal),
 * };
 */
export interface ProviderDefinition<P extends Provider = Provider> {
  readonly type: P['type'];
  /** Schema of the provider object (with `type`); the experiment schema is assembled from these. */
  readonly schema: z.ZodType<P>;
  /** Keys of the provider object that get `${...}` substitution before `run` (Chaos Toolkit §5). */
  readonly substitute: readonly (keyof P & string)[];
  /** Calls the provider; returns the activity's output. Throw {@link activityFailed} for a failed activity. */
  run(provider: P, ctx: ProviderContext): Promise<unknown>;
  /** Static checks run by `validate` (an executable exists, a module resolves). */
  validate?(provider: P, ctx: { baseDir: string }): Promise<ProviderProblem[]>;
  /**
   * What a failure of this provider as a method action means for the run, whatever the activity's `on-fail`
   * says: `fail` (the run ends `failed`) or `abort` (the run ends `aborted`); undefined leaves `on-fail` in
   * charge. The `fault` provider uses it: a fault that was not injected tested nothing, so the run must not end
   * "steady state held".
   */
  failedAction?(error: unknown): 'fail' | 'abort' | undefined;
  /** A one-line description for dry runs and terminal output (`GET http://...`, `kill -9 pid 42`). */
  describe?(provider: P): string;
}

/**
 * The error that turns into an activity with `status: "failed"` (Chaos Toolkit's `ActivityFailed`).
 * Any other error escaping a provider in the method aborts the run.
 */
export function activityFailed(message: string, cause?: unknown): TurbulenceError {
  return new TurbulenceError(ErrorCodes.ACTIVITY_FAILED, message, cause === undefined ? {} : { cause });
}
