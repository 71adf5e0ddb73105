/**
 * Ours: the `fault` provider. Injects a fault kind from the registry through the run's {@link FaultInjector},
 * which owns the fault from then on (ledger, duration, rollback, abort, recover).
 *
 *   { "type": "fault", "kind": "process.kill", "target": { "name": "api" }, "select": "one",
 *     "params": { "signal": "SIGKILL" }, "duration": "30s" }
 *   → { "faults": [ { "id": "f-1", "kind": "process.kill", "target": { "id": "pid:42", "name": "api (pid 42)" } } ] }
 */
import type { FaultSpec } from '../core/fault.js';
import type { InjectedFault } from '../core/fault.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { parseDuration } from '../core/duration.js';
import { ErrorCodes, isTurbulenceError, errorMessage } from '../core/errors.js';
import { parseSelectionMode } from '../core/selector.js';
import type { FaultProvider } from '../experiment/types.js';
import { faultSchema } from './schemas.js';
import { activityFailed, type ProviderDefinition, type ProviderContext } from './types.js';

/**
 * The runner may name the calling activity here; otherwise the owner's `activity` is `''` and the run's
 * injector fills in the activity it is running (the fault's owner in the ledger).
 */
type ActivityContext = ProviderContext & { activity?: string };

/** Output of the `fault` provider. */
export interface FaultOutput {
  /** `output`: what the kind measured, for kinds that return one (`load.*`: latency, errors, requests/s). */
  faults: { id: string; kind: string; target: { id: string; name: string }; output?: JsonValue }[];
}

/**
 * Turns a `fault` provider object into the {@link FaultSpec} the registry understands.
 *
 * @example
 * toFaultSpec({ type: 'fault', kind: 'process.stop', select: 'count(2)', duration: '10s' });
 * // { kind: 'process.stop', select: { mode: 'count', value: 2 }, durationMs: 10000 }
 */
export function toFaultSpec(p: FaultProvider): FaultSpec {
  const spec: FaultSpec = { kind: p.kind };
  if (p.target !== undefined) spec.target = p.target as JsonObject;
  if (p.params !== undefined) spec.params = p.params as JsonObject;
  if (p.select !== undefined) spec.select = parseSelectionMode(p.select);
  if (p.duration !== undefined) spec.durationMs = parseDuration(p.duration, 'fault duration');
  return spec;
}

/** A kind's measured output: the `output` of its inject state, when it returns one (`load.*`). */
function outputOf(f: InjectedFault & { state?: JsonValue }): { output?: JsonValue } {
  const s = f.state;
  const output = typeof s === 'object' && s !== null && !Array.isArray(s) ? s.output : undefined;
  return output === undefined ? {} : { output };
}

async function runFault(p: FaultProvider, ctx: ProviderContext, activity: string): Promise<FaultOutput> {
  if (!ctx.faults) throw activityFailed('fault provider needs a run');
  let spec: FaultSpec;
  try {
    spec = toFaultSpec(p);
  } catch (err) {
    throw activityFailed(`fault ${p.kind}: ${errorMessage(err)}`, err);
  }
  try {
    const injected = await ctx.faults.inject(spec, { activity });
    return {
      faults: injected.map((f) => ({
        id: f.id,
        kind: f.kind,
        target: { id: f.target.id, name: f.target.name },
        ...outputOf(f),
      })),
    };
  } catch (err) {
    // Blast-radius refusals and driver errors fail the activity; the run decides what a failed action means.
    if (isTurbulenceError(err)) throw activityFailed(`fault ${p.kind}: ${err.message}`, err);
    throw activityFailed(`fault ${p.kind} could not be injected: ${errorMessage(err)}`, err);
  }
}

/** The `fault` provider definition. */
export const faultProvider: ProviderDefinition<FaultProvider> = {
  type: 'fault',
  schema: faultSchema,
  substitute: ['kind', 'target', 'select', 'params', 'duration'],
  run: (p, ctx) => runFault(p, ctx, (ctx as ActivityContext).activity ?? ''),
  // Nothing injected, nothing tested: never "steady state held". A blast-radius refusal aborts the run.
  failedAction: (err) => (isTurbulenceError((err as Error).cause, ErrorCodes.BLAST_RADIUS) ? 'abort' : 'fail'),
  describe: (p) =>
    `inject ${p.kind}${p.select ? ` (${p.select})` : ''}${p.duration !== undefined ? ` for ${p.duration}` : ''}`,
};
