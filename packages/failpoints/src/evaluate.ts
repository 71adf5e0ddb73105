/**
 * @module What a term does when it fires, once for synchronous and once for asynchronous call sites.
 *
 * In `failpoint()` (synchronous) the event loop cannot be yielded: `delay` blocks like `sleep`, and `pause` and
 * `yield` only count the hit. `failpointAsync()` awaits: `delay` waits on a timer, `pause` waits until the
 * failpoint is reconfigured or removed, `yield` gives the event loop one turn.
 */
import { writeSync } from 'node:fs';
import { setImmediate as nextTurn, setTimeout as sleepAsync } from 'node:timers/promises';
import { errnoError } from './errors.js';
import type { Action, TaskName } from './grammar.js';
import type { Entry } from './registry.js';

/** Exit code of a process that hit a `panic` term (Rust's panic exit code; distinct from crashes and signals). */
export const PANIC_EXIT_CODE = 101;

/** The first term that fires on this hit, or undefined; counts the hit and consumes counts and coin flips. */
export function pick(entry: Entry): Action | undefined {
  entry.hits++;
  const actions = entry.actions;
  if (actions === undefined) return undefined;
  if (entry.callback) {
    entry.fired++;
    entry.callback(entry.name);
    return undefined;
  }
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as Action;
    const left = entry.remaining[i];
    if (left === 0) continue;
    if (a.probability < 1 && !(entry.random() < a.probability)) continue;
    if (left !== undefined) entry.remaining[i] = left - 1;
    if (a.task !== 'off') entry.fired++;
    return a;
  }
  return undefined;
}

function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function fail(name: string, a: Action): never {
  const [code = 'EIO', message] = a.args;
  const err = errnoError(code, name, {}, message);
  if (message === undefined) err.message += ` (failpoint ${name})`;
  throw err;
}

function panic(name: string, a: Action): never {
  writeSync(2, `failpoint ${name} panicked${a.args[0] ? `: ${a.args[0]}` : ''}\n`);
  process.exit(PANIC_EXIT_CODE);
}

function print(name: string, a: Action): undefined {
  writeSync(2, `failpoint ${name}: ${a.args[0] ?? 'hit'}\n`);
  return undefined;
}

type SyncTask = (name: string, a: Action) => string | undefined;
type AsyncTask = (name: string, a: Action, entry: Entry) => Promise<string | undefined> | string | undefined;

const SYNC: Record<TaskName, SyncTask> = {
  off: () => undefined,
  return: (_n, a) => a.args[0] ?? '',
  error: fail,
  panic,
  sleep: (_n, a) => void block(Number(a.args[0])),
  delay: (_n, a) => void block(Number(a.args[0])),
  pause: () => undefined,
  yield: () => undefined,
  print,
};

const ASYNC: Record<TaskName, AsyncTask> = {
  ...SYNC,
  delay: async (_n, a) => void (await sleepAsync(Number(a.args[0]))),
  pause: (_n, _a, entry) => new Promise<undefined>((resolve) => entry.waiters.push(() => resolve(undefined))),
  yield: async () => void (await nextTurn()),
};

/** Runs a fired term at a synchronous site: the `return` value, or undefined. */
export function runSync(name: string, a: Action): string | undefined {
  return SYNC[a.task](name, a);
}

/** Runs a fired term at an asynchronous site. */
export function runAsync(entry: Entry, a: Action): Promise<string | undefined> | string | undefined {
  return ASYNC[a.task](entry.name, a, entry);
}
