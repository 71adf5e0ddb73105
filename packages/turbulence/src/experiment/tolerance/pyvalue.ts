/**
 * Python value semantics the tolerance rules depend on: `==` (where `True == 1`), truthiness, and
 * `dict.get(target, value)`. Chaos Toolkit evaluates tolerances in Python; these keep our verdicts equal to its.
 */

import { ErrorCodes, TurbulenceError } from '../../core/errors.js';

type Plain = Record<string, unknown>;

/**
 * A tolerance that cannot be evaluated on this output: in Chaos Toolkit the same check raises a Python error
 * (`TypeError`, `AttributeError`, `KeyError`) that escapes `within_tolerance` (chaoslib/hypothesis.py), so the
 * run ends `aborted` instead of "tolerance not met". The code is not `ACTIVITY_FAILED`, so the runner aborts.
 */
export function toleranceError(message: string, python: string): TurbulenceError {
  return new TurbulenceError(
    ErrorCodes.EXPERIMENT_INVALID,
    `${message} (Chaos Toolkit aborts the run here: ${python})`,
    {
      hint: 'fix the tolerance (its target, its type) so it fits what the probe returns',
    },
  );
}

/** A short name of a value's Python type, for messages. */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** True for a JSON object (a Python dict), not a list or null. */
export function isDict(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * Python `a == b` on JSON values: numbers and booleans compare numerically (`True == 1`), lists element-wise,
 * dicts by keys and values, nothing else crosses types.
 *
 * @example
 * pyEquals(true, 1); // true
 * pyEquals('1', 1);  // false
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEquals(a[k], b[k]));
  }
  return a === b || (a == null && b == null);
}

/** Python truthiness: `None`, `False`, `0`, `""`, `[]` and `{}` are false. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Python `value.get(target, value)` when a target is given, the value itself otherwise. A target on a value that
 * is not a dict raises `AttributeError` in Chaos Toolkit: a {@link toleranceError} here.
 */
export function pickTarget(output: unknown, target: string | undefined): unknown {
  if (target === undefined || target === '') return output;
  if (!isDict(output)) {
    throw toleranceError(
      `the tolerance reads target "${target}" of an output that is not an object (${show(output)})`,
      `AttributeError: '${pyType(output)}' object has no attribute 'get'`,
    );
  }
  return target in output ? output[target] : output;
}

/** A value as a short, single-line text for reasons: JSON, cut at `max` characters. */
export function show(v: unknown, max = 60): string {
  let text: string;
  try {
    text = v === undefined ? 'undefined' : (JSON.stringify(v) ?? typeof v);
  } catch {
    text = `<${typeof v}>`;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What a target refers to in a reason: `body`, `stdout`, or `output` when there is no target. */
export function targetName(target: string | undefined): string {
  return target ? target : 'output';
}
