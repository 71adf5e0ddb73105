/**
 * @module The process-wide failpoint registry. State lives on `globalThis` under a registered symbol, so two copies
 * of this package in one process (an app's and the register hook's) share it.
 *
 * The hot path reads one boolean (`registry.active`): it is false until a failpoint is configured or the control
 * endpoint starts tracking hits, and a disabled `failpoint()` returns right there.
 */
import { FailpointConfigError } from './errors.js';
import { formatActions, parseActions } from './grammar.js';
import type { Action } from './grammar.js';
import { deriveSeed, mulberry32 } from './prng.js';
import type { Random } from './prng.js';

/** A function run on every hit of a failpoint configured with {@link configure}(name, fn). */
export type FailpointCallback = (name: string) => void;

/** One failpoint as the registry holds it. */
export interface Entry {
  readonly name: string;
  /** Undefined for a site that is only tracked (seen by a hit, never configured). */
  actions: Action[] | undefined;
  callback: FailpointCallback | undefined;
  /** Times each action may still fire (undefined = unlimited). */
  remaining: (number | undefined)[];
  random: Random;
  hits: number;
  fired: number;
  /** Resolvers of `pause` terms waiting for this failpoint to be reconfigured or removed. */
  waiters: (() => void)[];
}

/** The registry's shared state. */
export interface Registry {
  /** True when any failpoint is configured or hits are tracked: the only thing a disabled failpoint reads. */
  active: boolean;
  /** Record every site that is hit, configured or not (the control endpoint turns this on for listing). */
  tracking: boolean;
  seed: number;
  readonly entries: Map<string, Entry>;
  configured: number;
}

const KEY = Symbol.for('turbulence.failpoints.registry');
const holder = globalThis as unknown as Record<symbol, Registry | undefined>;

/** The shared registry (created on first use). */
export const registry: Registry = (holder[KEY] ??= {
  active: false,
  tracking: false,
  seed: Math.floor(Math.random() * 0x7fff_ffff),
  entries: new Map(),
  configured: 0,
});

function refreshActive(): void {
  registry.active = registry.configured > 0 || registry.tracking;
}

function wake(entry: Entry): void {
  const waiters = entry.waiters.splice(0);
  for (const w of waiters) w();
}

function entryFor(name: string): Entry {
  let e = registry.entries.get(name);
  if (!e) {
    e = {
      name,
      actions: undefined,
      callback: undefined,
      remaining: [],
      random: Math.random,
      hits: 0,
      fired: 0,
      waiters: [],
    };
    registry.entries.set(name, e);
  }
  return e;
}

/**
 * Turns a failpoint on (or changes it): `spec` in the action grammar, or a callback run on every hit.
 * Reconfiguring resumes anything paused at the failpoint and restarts its counts and random stream.
 *
 * @example
 * configure('wal.before-fsync', '1*panic');
 * configure('db.commit', '25%error(EIO)->delay(50)');
 */
export function configure(name: string, spec: string | FailpointCallback): void {
  if (typeof name !== 'string' || name === '') throw new FailpointConfigError('a failpoint needs a non-empty name');
  const actions = typeof spec === 'function' ? [] : parseActions(spec);
  const e = entryFor(name);
  if (e.actions === undefined) registry.configured++;
  e.actions = actions;
  e.callback = typeof spec === 'function' ? spec : undefined;
  e.remaining = actions.map((a) => a.count);
  e.random = mulberry32(deriveSeed(registry.seed, name));
  e.fired = 0;
  refreshActive();
  wake(e);
}

/**
 * Turns a failpoint off; anything paused at it resumes. Returns false when it was not configured.
 *
 * @example
 * remove('wal.before-fsync');
 */
export function remove(name: string): boolean {
  const e = registry.entries.get(name);
  if (!e || e.actions === undefined) return false;
  e.actions = undefined;
  e.callback = undefined;
  e.remaining = [];
  registry.configured--;
  if (!registry.tracking) registry.entries.delete(name);
  refreshActive();
  wake(e);
  return true;
}

/** Removes every failpoint (tests call this between cases). Hit counts of tracked sites are kept. */
export function removeAll(): void {
  for (const name of [...registry.entries.keys()]) remove(name);
}

/**
 * Sets the seed of probability terms. Streams are per failpoint and restart on `configure`, so the same seed and
 * the same configuration replay the same coin flips. `TURBULENCE_SEED` sets it at start.
 *
 * @example
 * setSeed(42); configure('x', '50%return');
 */
export function setSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new FailpointConfigError(`seed must be an integer, got ${seed}`);
  registry.seed = seed;
  for (const e of registry.entries.values()) e.random = mulberry32(deriveSeed(seed, e.name));
}

/** Records every failpoint site that is hit, so {@link list} shows sites that are not configured too. */
export function setTracking(on: boolean): void {
  registry.tracking = on;
  refreshActive();
}

/** A failpoint as {@link list} reports it. */
export interface FailpointInfo {
  name: string;
  /** The configured actions in the grammar, or null when off. */
  actions: string | null;
  /** Times the site was reached while configured (or while tracking). */
  hits: number;
  /** Times an action fired since the last `configure`. */
  fired: number;
}

/** The registry's entry for `name`, whether configured or only tracked. */
export function getEntry(name: string): Entry | undefined {
  return registry.entries.get(name);
}

/** Ensures a tracked entry exists for a site that was just hit. */
export function trackHit(name: string): Entry {
  return entryFor(name);
}

function info(e: Entry): FailpointInfo {
  const actions = e.actions === undefined ? null : e.callback ? '(callback)' : formatActions(e.actions);
  return { name: e.name, actions, hits: e.hits, fired: e.fired };
}

/**
 * Every configured or tracked failpoint, sorted by name.
 *
 * @example
 * list(); // [{ name: 'db.commit', actions: '1*panic', hits: 3, fired: 0 }]
 */
export function list(): FailpointInfo[] {
  return [...registry.entries.values()].map(info).sort((a, b) => a.name.localeCompare(b.name));
}

/** One failpoint's info, or undefined when it is neither configured nor tracked. */
export function get(name: string): FailpointInfo | undefined {
  const e = registry.entries.get(name);
  return e ? info(e) : undefined;
}
