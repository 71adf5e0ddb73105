/**
 * Tolerances: whether a probe's output says the system is fine (Chaos Toolkit §8). Pure: the only outside
 * calls are the `substitute` and `runProbe` callbacks the runner passes in.
 *
 *   tolerance           rule (the JS type of the tolerance picks it; booleans before integers)
 *   true / false        output == tolerance (Python ==, so true == 1)
 *   200                 output.status == 200 when the output has a status (http, process), else output == 200
 *   "text"              output == substitute("text")   (a lone "${n}" keeps its type)
 *   [a, b, ...]         output.status in list when the output has a status; else with exactly 2 items the
 *                       inclusive range a <= output <= b; else output in list
 *   { type: ... }       one of the kinds in `tolerance/` (range, regex, jsonpath, probe)
 */
import { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { ObjectTolerance, Tolerance } from './types.js';
import { jsonPathKind } from './tolerance/jsonpath.js';
import type { ToleranceContext, ToleranceKind, ToleranceResult } from './tolerance/kind.js';
import { probeKind } from './tolerance/probe.js';
import { isDict, pyEquals, pyType, show, toleranceError } from './tolerance/pyvalue.js';
import { rangeKind } from './tolerance/range.js';
import { regexKind } from './tolerance/regex.js';

export type { ToleranceContext, ToleranceKind, ToleranceResult } from './tolerance/kind.js';

/** Every object tolerance kind, one line each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own tolerance type
export const toleranceKinds: readonly ToleranceKind<any>[] = [rangeKind, regexKind, jsonPathKind, probeKind];

function kindOf(type: unknown): ToleranceKind<ObjectTolerance> | undefined {
  return toleranceKinds.find((k) => k.type === type) as ToleranceKind<ObjectTolerance> | undefined;
}

function unsupported(tolerance: unknown): TurbulenceError {
  const type = isDict(tolerance) ? tolerance.type : undefined;
  const what = isDict(tolerance)
    ? `hypothesis probe tolerance type ${show(type)} is unsupported`
    : `hypothesis probe tolerance ${show(tolerance)} is unsupported`;
  return new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, what, {
    hint: `use true/false, an integer, a string, a list, or {type: ${toleranceKinds.map((k) => String(k.type)).join('|')}}`,
  });
}

const hasStatus = (output: unknown): output is { status: unknown } => isDict(output) && 'status' in output;

function checkList(list: unknown[], output: unknown): ToleranceResult {
  if (hasStatus(output)) {
    const met = list.some((x) => pyEquals(output.status, x));
    return { met, reason: `status ${show(output.status)} ${met ? 'in' : 'not in'} ${show(list)}` };
  }
  if (list.length === 2) {
    const [lo, hi] = list;
    // Python `lo <= output <= hi`: numbers (booleans are ints) with numbers, strings with strings; anything else
    // raises TypeError in chaoslib/hypothesis.py and the run aborts.
    const num = (a: unknown): boolean => typeof a === 'number' || typeof a === 'boolean';
    const comparable = (a: unknown, b: unknown): boolean =>
      (num(a) && num(b)) || (typeof a === 'string' && typeof b === 'string');
    if (!comparable(lo, output) || !comparable(output, hi)) {
      const bad = comparable(lo, output) ? hi : lo;
      throw toleranceError(
        `${show(output)} cannot be compared with range ${show(list)}`,
        `TypeError: '<=' not supported between instances of '${pyType(comparable(lo, output) ? output : lo)}' and '${pyType(comparable(lo, output) ? bad : output)}'`,
      );
    }
    const n = (a: unknown): number | string => (typeof a === 'boolean' ? Number(a) : (a as number | string));
    const met = n(lo) <= n(output) && n(output) <= n(hi);
    return { met, reason: `${show(output)} ${met ? 'in' : 'not in'} range ${show(list)}` };
  }
  const met = list.some((x) => pyEquals(output, x));
  return { met, reason: `${show(output)} ${met ? 'in' : 'not in'} ${show(list)}` };
}

function equals(output: unknown, expected: unknown, label = 'output'): ToleranceResult {
  const met = pyEquals(output, expected);
  return { met, reason: `${label} ${show(output)} ${met ? 'is' : 'is not'} ${show(expected)}` };
}

/**
 * Checks a probe's output against its tolerance.
 *
 * @example
 * await checkTolerance([200, 201], { status: 503, headers: {}, body: '' }, { substitute: (v) => v });
 * // { met: false, reason: 'status 503 not in [200,201]' }
 */
export async function checkTolerance(
  tolerance: Tolerance,
  output: unknown,
  ctx: ToleranceContext,
): Promise<ToleranceResult> {
  if (typeof tolerance === 'boolean') return equals(output, tolerance);
  if (typeof tolerance === 'number') {
    if (!Number.isInteger(tolerance)) throw unsupported(tolerance);
    return hasStatus(output) ? equals(output.status, tolerance, 'status') : equals(output, tolerance);
  }
  if (typeof tolerance === 'string') return equals(output, ctx.substitute(tolerance));
  if (Array.isArray(tolerance)) return checkList(tolerance, output);
  const kind = isDict(tolerance) ? kindOf(tolerance.type) : undefined;
  if (!kind) throw unsupported(tolerance);
  return kind.check(tolerance, output, ctx);
}

/**
 * A tolerance as a short text for terminal output and dry runs.
 *
 * @example
 * describeTolerance([200, 201]); // 'in [200,201]'
 * describeTolerance({ type: 'regex', pattern: '^ok', target: 'body' }); // 'regex /^ok/ on body'
 */
export function describeTolerance(tolerance: Tolerance): string {
  if (typeof tolerance === 'boolean') return `== ${tolerance}`;
  if (typeof tolerance === 'number') return `== ${tolerance} (or status ${tolerance})`;
  if (typeof tolerance === 'string') return `== ${show(tolerance)}`;
  if (Array.isArray(tolerance)) return `in ${show(tolerance)}`;
  const kind = isDict(tolerance) ? kindOf(tolerance.type) : undefined;
  return kind ? kind.describe(tolerance) : show(tolerance);
}

/**
 * Schema of a tolerance, for the experiment schema: booleans, integers, strings, lists, and the object kinds.
 * Floats, `null` and unknown `type`s are rejected with Chaos Toolkit's messages.
 */
export const toleranceSchema = z.unknown().superRefine((value, issues) => {
  if (typeof value === 'boolean' || typeof value === 'string' || Array.isArray(value)) return;
  if (typeof value === 'number' && Number.isInteger(value)) return;
  const kind = isDict(value) ? kindOf(value.type) : undefined;
  if (!kind) {
    const message =
      typeof value === 'number'
        ? `a float tolerance (${value}) is not supported; use an integer, a list or {type: "range"}`
        : unsupported(value).message;
    issues.addIssue({ code: 'custom', message, input: value });
    return;
  }
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
    }
  }
}) as unknown as z.ZodType<Tolerance>;
