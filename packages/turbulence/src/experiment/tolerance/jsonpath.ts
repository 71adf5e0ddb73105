/**
 * `{type: "jsonpath", path, expect?, count?, target?}`, evaluated with `jsonpath-plus` after translating
 * Chaos Toolkit's dialect (Python `jsonpath2`):
 *
 *   jsonpath2                            jsonpath-plus (what runs)
 *   $.items[*][?(@.a = "x")]        ─▶   $.items[?(@.a === "x")]     a filter tests the node it follows
 *   $.items.*[?(@.a != 1)]          ─▶   $.items[?(@.a !== 1)]
 *   [?(@.a > 1 and not @.b = 2)]    ─▶   [?(@.a > 1 && !( @.b === 2))]
 *
 * Equality is strict (`===`), as Python's `==` does not convert between strings and numbers. A filter that
 * follows a name rather than a wildcard (`$.items[?(@.a="x")]`) filters the *children* of that node in
 * jsonpath-plus (Goessner), where jsonpath2 would test the node itself; the first reading is the one users mean.
 */
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import type { ToleranceKind } from './kind.js';
import { pickTarget, pyEquals, show, targetName } from './pyvalue.js';
import { strictObject } from '../strict.js';

const WORDS: Record<string, string> = { and: '&&', or: '||' };

/**
 * Rewrites one filter expression: `=`/`==` → `===`, `!=` → `!==`, `and`/`or` → `&&`/`||`, and
 * `not X` → `!(X)` (jsonpath2's `not` binds looser than a comparison, JavaScript's `!` tighter).
 */
function translateFilter(expr: string): string {
  let out = '';
  const open: number[] = [0]; // pending `!(` to close, per parenthesis depth
  const closeAll = (): void => {
    out += ')'.repeat(open[open.length - 1] ?? 0);
    open[open.length - 1] = 0;
  };
  for (let i = 0; i < expr.length;) {
    const c = expr[i] as string;
    const prev = expr[i - 1] ?? '';
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' ? 2 : 1;
      out += expr.slice(i, j + 1);
      i = j + 1;
    } else if (/[=!]/.test(c) && !/[<>=!]/.test(prev)) {
      const op = /^(!==?|===?|=)/.exec(expr.slice(i))?.[0] ?? c;
      out += op === '!' ? '!' : op.startsWith('!') ? '!==' : '===';
      i += op.length;
    } else if (/[A-Za-z_]/.test(c) && !/[\w.@$]/.test(prev)) {
      const word = /^\w+/.exec(expr.slice(i))?.[0] ?? c;
      if (word === 'not') {
        out += '!(';
        open[open.length - 1] = (open[open.length - 1] ?? 0) + 1;
      } else if (word in WORDS) {
        closeAll();
        out += WORDS[word];
      } else out += word;
      i += word.length;
    } else {
      if (c === ')') closeAll();
      if (c === '(') open.push(0);
      if (c === ')') open.pop();
      out += c;
      i++;
    }
  }
  closeAll();
  return out;
}

/**
 * Translates a `jsonpath2` path into `jsonpath-plus` syntax (see the table above). Paths without filters are
 * returned unchanged.
 *
 * @example
 * translateJsonPath('$.items[*][?(@.a = "x")]'); // '$.items[?(@.a === "x")]'
 */
export function translateJsonPath(path: string): string {
  let out = '';
  let i = 0;
  for (let start = path.indexOf('[?(', i); start !== -1; start = path.indexOf('[?(', i)) {
    let end = start + 3;
    let depth = 1;
    let quote: string | undefined;
    for (; end < path.length && depth > 0; end++) {
      const c = path[end];
      if (quote) {
        if (c === '\\') end++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    const head = path.slice(i, start).replace(/(?:\[\*\]|\.\*)$/, '');
    out += `${head}[?(${translateFilter(path.slice(start + 3, end - 1))})`;
    i = end;
  }
  return out + path.slice(i);
}

/** All values matched by a (jsonpath2-dialect) path; `[]` when the value is not a document. */
export function jsonPathValues(path: string, json: unknown): unknown[] {
  if (path.trim() === '$') return [json];
  if (typeof json !== 'object' || json === null) return [];
  const found: unknown[] | undefined = JSONPath<unknown[] | undefined>({
    path: translateJsonPath(path),
    json,
    wrap: true,
  });
  return found ?? [];
}

function parseIfText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const schema = strictObject(
  {
    type: z.literal('jsonpath'),
    path: z.string().min(1, { message: 'path must be a non-empty JSONPath, e.g. $.status' }),
    expect: z.unknown().optional(),
    count: z.number().int().nonnegative().optional(),
    target: z.string().optional(),
  },
  'a jsonpath tolerance',
);
/** A `jsonpath` tolerance, derived from its schema. */
export type JsonPathTolerance = z.output<typeof schema>;

/** The `jsonpath` tolerance kind. */
export const jsonPathKind: ToleranceKind<JsonPathTolerance> = {
  type: 'jsonpath',
  schema,
  check(tol, output, ctx) {
    const path = ctx.substitute(tol.path);
    if (typeof path !== 'string') return { met: false, reason: `path ${show(path)} is not text` };
    let values: unknown[];
    try {
      values = jsonPathValues(path, parseIfText(pickTarget(output, tol.target)));
    } catch (err) {
      return { met: false, reason: `jsonpath ${path} failed: ${(err as Error).message}` };
    }
    const on = tol.target ? ` in ${targetName(tol.target)}` : '';
    if ('expect' in tol && tol.expect !== undefined) {
      const e = ctx.substitute(tol.expect);
      const expected = Array.isArray(e) ? e : [e];
      const met = pyEquals(values, expected);
      return { met, reason: `${path}${on} matched ${show(values)}${met ? '' : `, expected ${show(expected)}`}` };
    }
    if (tol.count !== undefined) {
      const met = values.length === tol.count;
      return { met, reason: `${path}${on} matched ${values.length} value(s)${met ? '' : `, expected ${tol.count}`}` };
    }
    const met = values.length > 0;
    return { met, reason: met ? `${path}${on} matched ${show(values)}` : `${path}${on} matched nothing` };
  },
  describe: (tol) =>
    `jsonpath ${tol.path}${tol.target ? ` on ${tol.target}` : ''}` +
    ('expect' in tol && tol.expect !== undefined
      ? ` = ${show(tol.expect)}`
      : tol.count !== undefined
        ? ` count ${tol.count}`
        : ''),
};
