/**
 * @module Types of the rules engine (Byteman for Node): a rule names a target function, a condition on its
 * arguments and an action in the failpoint grammar.
 */
import type { Action } from '../grammar.js';
import type { Entry } from '../registry.js';
import type { ErrnoDetails } from '../errors.js';

/** What a call's arguments say, for conditions and for the fields of injected errors. */
export interface Facts {
  path?: string;
  dest?: string;
  host?: string;
  port?: number;
  method?: string;
  url?: string;
  command?: string;
}

/**
 * A condition, with the fields of {@link Facts}: every field given must match (strings are globs: `*` within a
 * segment, `**` across, `?` one character; `port` is compared exactly).
 */
export type When = Facts;

/**
 * How a target is called, which decides how an action reaches the caller:
 * `promise` rejects/resolves, `callback` calls the last function argument, `sync` throws/returns,
 * `socket` returns a socket that errors, `request` returns a ClientRequest that errors, `spawn` returns a
 * ChildProcess that emits the error, `fetch` rejects like undici (`TypeError('fetch failed', { cause })`).
 */
export type Style = 'promise' | 'callback' | 'sync' | 'socket' | 'request' | 'spawn' | 'fetch' | 'auto';

/**
 * Readers of a call's facts, one per fact the target has. Every fact comes from the first two arguments, and a
 * reader runs only when a condition asks for its fact, so a call that no rule matches computes nothing else.
 */
export type FactReaders = { readonly [K in keyof Facts]?: (a0: unknown, a1: unknown) => Facts[K] };

/** A function that rules can target. One family file lists its targets; `targets/index.ts` lists the families. */
export interface TargetDef {
  /** `fs.promises.readFile`, `net.connect`, `fetch`, ... */
  readonly name: string;
  /** The object that holds the function (a module object, `globalThis`). */
  readonly owner: () => object;
  readonly key: string;
  readonly style: Style;
  /** The facts a condition can test on this target. */
  readonly facts: FactReaders;
  /** Fields of an injected error (`syscall`, `path`, `hostname`, ...). */
  readonly errno: (facts: Facts) => ErrnoDetails;
}

/** A validated rule. */
export interface Rule {
  readonly name: string;
  readonly target: string;
  readonly when: When | undefined;
  readonly action: string;
  readonly actions: readonly Action[];
}

/** A call's first two arguments pass a rule's condition (compiled from `when` when the rule is set). */
export type Condition = (a0: unknown, a1: unknown) => boolean;

/** A rule plus its compiled condition, counters and coin-flip stream (a failpoint entry of its own). */
export interface ActiveRule {
  readonly rule: Rule;
  /** Undefined when the rule has no condition (every call matches). */
  readonly test: Condition | undefined;
  readonly entry: Entry;
}
