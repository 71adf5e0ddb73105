/**
 * @module The call sites: `failpoint(name)` and `failpointAsync(name)`.
 *
 * When nothing is configured a call reads one boolean and returns; when something else is configured it costs one
 * Map lookup more. See bench/failpoints.bench.ts for the figures.
 */
import { pick, runAsync, runSync } from './evaluate.js';
import { registry, trackHit } from './registry.js';
import type { Entry } from './registry.js';

const NOTHING: Promise<undefined> = Promise.resolve(undefined);
// A module-local alias: reading an imported binding costs a check per access, a local const does not.
const state = registry;

function lookup(name: string): Entry | undefined {
  const e = state.entries.get(name);
  if (e !== undefined) return e;
  return state.tracking ? trackHit(name) : undefined;
}

/**
 * A named place where a fault can be switched on from outside. Returns the argument of a `return(x)` term that
 * fired (`''` for a bare `return`), otherwise undefined; `error(...)` terms throw, `panic` exits the process with
 * code 101, `sleep`/`delay` block.
 *
 * @example
 * function commit(tx: Tx) {
 *   if (failpoint('db.commit.before-write') !== undefined) return; // simulate a lost write
 *   write(tx);
 * }
 */
export function failpoint(name: string): string | undefined {
  if (!state.active) return undefined;
  const e = lookup(name);
  if (e === undefined) return undefined;
  const a = pick(e);
  return a === undefined ? undefined : runSync(name, a);
}

/**
 * The asynchronous form: `delay(ms)` waits without blocking the event loop, `pause` waits until the failpoint
 * is reconfigured or removed, `yield` gives the event loop a turn. Otherwise like {@link failpoint}.
 *
 * @example
 * async function prepare() {
 *   await writeFile(prepared, ca);
 *   await failpointAsync('rotate.after-prepare'); // e.g. TURBULENCE_FAILPOINTS='rotate.after-prepare=1*panic'
 * }
 */
export function failpointAsync(name: string): Promise<string | undefined> {
  if (!state.active) return NOTHING;
  const e = lookup(name);
  if (e === undefined) return NOTHING;
  try {
    const a = pick(e);
    return a === undefined ? NOTHING : Promise.resolve(runAsync(e, a));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
