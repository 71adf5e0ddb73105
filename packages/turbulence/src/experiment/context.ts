/**
 * What every part of a run shares: the loaded configuration and secrets, earlier activities' outputs, the dry
 * mode, the seeded RNG, the event stream, the fault injector and the run's abort signal.
 */
import type { Rng } from '../core/rng.js';
import type { FaultInjector } from '../providers/types.js';
import type { RunEvents } from './events.js';
import type { Activity, ActivityOrRef, DryMode, Experiment } from './types.js';
import { isRef } from './types.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { setLongTimeout } from '../core/long-timer.js';

export interface RunContext {
  experiment: Experiment;
  baseDir: string;
  configuration: Record<string, unknown>;
  secrets: Record<string, Record<string, unknown>>;
  /** Outputs of activities that ran, by name (`${steps.<name>.output}`). */
  steps: Map<string, unknown>;
  dry: DryMode | undefined;
  strict: boolean;
  rng: Rng;
  events: RunEvents;
  faults: FaultInjector | undefined;
  /** Aborted when the run is interrupted or aborted: in-flight providers stop. */
  signal: AbortSignal;
  /** Activities by name, for `ref` (method, then hypothesis probes: the later one wins, as in Chaos Toolkit). */
  refs: Map<string, Activity>;
}

/** Builds the name → activity cache that `ref` entries resolve against (Chaos Toolkit §6.2). */
export function buildRefCache(experiment: Experiment): Map<string, Activity> {
  const cache = new Map<string, Activity>();
  const add = (list: ActivityOrRef[] | undefined) => {
    for (const a of list ?? []) if (!isRef(a)) cache.set(a.name, a);
  };
  add(experiment.method);
  add(experiment['steady-state-hypothesis']?.probes);
  return cache;
}

/** Resolves a `ref` entry; throws (which aborts a method) when it names no activity. */
export function resolveActivity(entry: ActivityOrRef, refs: Map<string, Activity>): Activity {
  if (!isRef(entry)) return entry;
  const found = refs.get(entry.ref);
  if (!found) {
    throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `could not find referenced activity "${entry.ref}"`, {
      hint: 'a ref must name an activity of the method or a steady-state-hypothesis probe',
    });
  }
  return found;
}

/** Sleeps `ms`, resolving early (with `false`) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      timer.clear();
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setLongTimeout(() => done(true), ms); // chained: pauses past 24.8 days work
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
