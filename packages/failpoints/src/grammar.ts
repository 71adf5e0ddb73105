/**
 * @module The failpoint action grammar, after fail-rs and gofail:
 *
 *   actions := term ( "->" term )*
 *   term    := [ probability "%" ] [ count "*" ] task [ "(" arg ")" ]
 *   list    := name "=" actions ( ";" name "=" actions )*        (TURBULENCE_FAILPOINTS)
 *
 * `25%3*return(x)`: on each hit, with probability 25 % and at most 3 times, return "x". Terms are tried left to
 * right and the first that fires wins: `10%return(x)->sleep(100)` returns x one time in ten and sleeps otherwise.
 */
import { FailpointConfigError } from './errors.js';

/** What a term does when it fires. */
export type TaskName = 'off' | 'return' | 'error' | 'panic' | 'sleep' | 'delay' | 'pause' | 'yield' | 'print';

type ArgKind = 'none' | 'optional' | 'ms' | 'error';

/** Each task and the argument it takes; adding a task is one line here and one in `evaluate.ts`. */
const TASKS: Record<TaskName, ArgKind> = {
  off: 'none',
  return: 'optional',
  error: 'error',
  panic: 'optional',
  sleep: 'ms',
  delay: 'ms',
  pause: 'none',
  yield: 'none',
  print: 'optional',
};

/** One parsed term. */
export interface Action {
  /** 0..1; 1 when the term has no `%`. */
  readonly probability: number;
  /** Max times the term may fire; undefined = unlimited. */
  readonly count: number | undefined;
  readonly task: TaskName;
  /** `return(x)` → `['x']`; `error(EIO, disk gone)` → `['EIO', 'disk gone']`; `sleep(10)` → `['10']`. */
  readonly args: readonly string[];
  /** The term as written (normalised), for listing. */
  readonly source: string;
}

const TERM = /^(?:(\d+(?:\.\d+)?)%)?(?:(\d+)\*)?([a-z]+)(?:\(([\s\S]*)\))?$/;

/** Splits at `sep` where parentheses are balanced, so arguments may contain the separator. */
export function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function parseArgs(task: TaskName, raw: string | undefined, term: string): string[] {
  const kind = TASKS[task];
  if (raw === undefined) {
    if (kind === 'ms') throw new FailpointConfigError(`${task} needs milliseconds, e.g. ${task}(100)`, term);
    if (kind === 'error') throw new FailpointConfigError('error needs a code, e.g. error(EIO) or error(EIO,msg)', term);
    return [];
  }
  if (kind === 'none') throw new FailpointConfigError(`${task} takes no argument`, term);
  if (kind === 'ms') {
    if (!/^\s*\d+\s*$/.test(raw))
      throw new FailpointConfigError(`${task} needs whole milliseconds, got "${raw}"`, term);
    return [raw.trim()];
  }
  if (kind === 'error') {
    const comma = raw.indexOf(',');
    const code = (comma < 0 ? raw : raw.slice(0, comma)).trim();
    if (!/^[A-Za-z_][\w]*$/.test(code))
      throw new FailpointConfigError(`error code must be a word like EIO, got "${code}"`, term);
    return comma < 0 ? [code] : [code, raw.slice(comma + 1).trim()];
  }
  return [raw];
}

/**
 * Parses one term such as `25%3*return(x)`.
 *
 * @example
 * parseTerm('50%2*error(EIO)'); // { probability: 0.5, count: 2, task: 'error', args: ['EIO'], ... }
 */
export function parseTerm(text: string): Action {
  const term = text.trim();
  const m = TERM.exec(term);
  if (!m) throw new FailpointConfigError('expected [P%][N*]task[(arg)], e.g. 10%3*return(x)', term || '(empty term)');
  const [, pct, cnt, name = '', arg] = m;
  if (!Object.hasOwn(TASKS, name)) {
    throw new FailpointConfigError(`unknown task "${name}" (tasks: ${Object.keys(TASKS).join(', ')})`, term);
  }
  const task = name as TaskName;
  const probability = pct === undefined ? 1 : Number(pct) / 100;
  if (probability > 1) throw new FailpointConfigError(`probability ${pct}% is above 100%`, term);
  const count = cnt === undefined ? undefined : Number(cnt);
  return { probability, count, task, args: parseArgs(task, arg, term), source: term };
}

/**
 * Parses a chain of terms joined by `->`.
 *
 * @example
 * parseActions('10%return(x)->sleep(100)').length; // 2
 */
export function parseActions(spec: string): Action[] {
  if (spec.trim() === '') throw new FailpointConfigError('empty action spec (use "off" to disable)');
  return splitTopLevel(spec, '->').map(parseTerm);
}

/** Renders parsed actions back into the grammar (what `list()` and the endpoint show). */
export function formatActions(actions: readonly Action[]): string {
  return actions.map((a) => a.source).join('->');
}

/**
 * Parses `name=actions;name=actions` (the `TURBULENCE_FAILPOINTS` format) into pairs, validating every spec.
 *
 * @example
 * parseFailpointList('a=10%return(x);b=1*panic'); // [['a', '10%return(x)'], ['b', '1*panic']]
 */
export function parseFailpointList(text: string, where = 'TURBULENCE_FAILPOINTS'): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of splitTopLevel(text, ';')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (!name) throw new FailpointConfigError(`expected name=actions, got "${entry.trim()}"`, where);
    const spec = entry.slice(eq + 1).trim();
    try {
      parseActions(spec);
    } catch (err) {
      throw new FailpointConfigError(`failpoint "${name}": ${(err as Error).message}`, where);
    }
    out.push([name, spec]);
  }
  return out;
}
