/**
 * @module How a fired rule reaches the caller, per calling style. Every style answers three questions: how to
 * fail (deliver an error the way the real function would), how to continue later (after a delay or pause), and
 * how to return a value instead of calling the original.
 */
import { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Action, TaskName } from '../grammar.js';
import { errnoError } from '../errors.js';
import type { InjectedError } from '../errors.js';
import { runSync } from '../evaluate.js';
import { setImmediate as nextTurn, setTimeout as sleepAsync } from 'node:timers/promises';
import type { ActiveRule, Facts, Style, TargetDef } from './types.js';

/** One intercepted call whose rule fired. */
export interface Call {
  readonly def: TargetDef;
  readonly active: ActiveRule;
  readonly action: Action;
  readonly facts: Facts;
  readonly original: (...args: unknown[]) => unknown;
  readonly self: unknown;
  readonly args: unknown[];
}

interface StyleImpl {
  fail(call: Call, err: InjectedError): unknown;
  /** Calls the original once `wait` settles; undefined when the style cannot wait (the rule is refused). */
  later?(call: Call, wait: Promise<unknown>): unknown;
  value?(call: Call, value: unknown): unknown;
}

const callOriginal = (c: Call): unknown => c.original.apply(c.self, c.args);

function lastFunction(args: unknown[]): ((...a: unknown[]) => void) | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (...a: unknown[]) => void) : undefined;
}

function failingSocket(err: Error): Socket {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(err));
  return socket;
}

/** A ChildProcess that never ran: empty stdio, then `error` and `close`, as Node does for a failed spawn. */
function failedChild(err: InjectedError): ChildProcess {
  const child = new ChildProcess();
  const streams = [new PassThrough(), new PassThrough(), new PassThrough()];
  Object.assign(child, { stdin: streams[0], stdout: streams[1], stderr: streams[2], stdio: streams });
  process.nextTick(() => {
    child.emit('error', err);
    for (const s of streams) s.end();
    child.emit('close', err.errno ?? -1, null);
  });
  return child;
}

/** Copies the request arguments with a connection factory that fails, so no traffic leaves the process. */
function withFailingConnection(args: unknown[], err: Error): unknown[] {
  const createConnection = (): Socket => failingSocket(err);
  const [first, second, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL) {
    if (second && typeof second === 'object')
      return [first, { ...second, agent: undefined, createConnection }, ...rest];
    return [first, { createConnection }, ...args.slice(1)];
  }
  return [{ ...(first as object), agent: undefined, createConnection }, ...args.slice(1)];
}

const promise: StyleImpl = {
  fail: (_c, err) => Promise.reject(err),
  later: (c, wait) => wait.then(() => callOriginal(c)),
  value: (_c, v) => Promise.resolve(v),
};

const STYLES: Record<Style, StyleImpl> = {
  promise,
  callback: {
    fail: (c, err) => {
      const cb = lastFunction(c.args);
      if (!cb) return callOriginal(c);
      process.nextTick(cb, err);
      return undefined;
    },
    later: (c, wait) => void wait.then(() => callOriginal(c)),
    value: (c, v) => {
      const cb = lastFunction(c.args);
      if (!cb) return callOriginal(c);
      process.nextTick(cb, null, v);
      return undefined;
    },
  },
  sync: {
    fail: (_c, err) => {
      throw err;
    },
    value: (_c, v) => v,
  },
  socket: { fail: (_c, err) => failingSocket(err) },
  request: { fail: (c, err) => c.original.apply(c.self, withFailingConnection(c.args, err)) },
  spawn: { fail: (_c, err) => failedChild(err) },
  fetch: {
    fail: (_c, err) => Promise.reject(new TypeError('fetch failed', { cause: err })),
    later: (c, wait) => wait.then(() => callOriginal(c)),
    value: (_c, v) =>
      Promise.resolve(typeof v === 'number' ? new Response(null, { status: v }) : new Response(String(v))),
  },
  auto: {
    fail: (c, err) => {
      if (isAsync(c.original)) return Promise.reject(err);
      throw err;
    },
    later: (c, wait) => wait.then(() => callOriginal(c)),
    value: (c, v) => (isAsync(c.original) ? Promise.resolve(v) : v),
  },
};

function isAsync(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor.name === 'AsyncFunction';
}

function parseValue(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const WAITS: Partial<Record<TaskName, (c: Call) => Promise<unknown>>> = {
  delay: (c) => sleepAsync(Number(c.action.args[0])),
  yield: () => nextTurn(),
  pause: (c) => new Promise<void>((resolve) => c.active.entry.waiters.push(resolve)),
};

/** Tasks a style cannot carry out (checked when a rule is set, so the refusal comes early). */
export function unsupported(style: Style, task: TaskName): string | undefined {
  const impl = STYLES[style];
  if (WAITS[task] && !impl.later && style !== 'auto')
    return `${task} needs an asynchronous target; use sleep(ms) (blocks)`;
  if (task === 'return' && !impl.value) return `return is not supported here; use error(CODE) instead`;
  return undefined;
}

/** Carries out a fired rule for one call. */
export function apply(c: Call): unknown {
  const impl = STYLES[c.def.style];
  const task = c.action.task;
  if (task === 'error') {
    const [code = 'EIO', message] = c.action.args;
    return impl.fail(c, errnoError(code, c.active.rule.name, c.def.errno(c.facts), message));
  }
  const wait = WAITS[task];
  const canWait = impl.later !== undefined && (c.def.style !== 'auto' || isAsync(c.original));
  if (wait && canWait) return impl.later?.(c, wait(c));
  if (task === 'return' && impl.value) return impl.value(c, parseValue(c.action.args[0]));
  runSync(c.active.rule.name, c.action); // off, sleep, panic, print, and waits at synchronous sites
  return callOriginal(c);
}
