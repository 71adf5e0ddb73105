/**
 * `{type: "jsonpath", path, expect?, count?, target?}`. Paths are walked by `jsonpath-plus`; filters `[?(...)]`
 * are evaluated by our own interpreter of Chaos Toolkit's dialect (Python `jsonpath2`,
 * `jsonpath2/expressions/operator.py`), because JavaScript's operators do not mean the same thing:
 *
 *   filter                     jsonpath2 (and turbulence)                    JavaScript would say
 *   @.a = "x"   (also ==)      Python ==: 1 = 1.0, true = 1, "1" != 1        -
 *   @.a != 1                   a missing @.a never matches                   undefined !== 1 matches
 *   @.v > 0.5  (<, <=, >=)     numbers (and booleans) only: "0.7" > 0.5 is   "0.7" > 0.5 is true
 *                              false, as Prometheus strings never match
 *   @.a                        a match exists (even 0, false, null)          truthiness
 *   and / or / not             all / any / not; not binds looser than =      -
 *   @.tags[*] = "x"            any of the matches (existential)              -
 *
 * A comparison is true when ANY pair of left and right values satisfies it (`BinaryOperatorExpression.evaluate`);
 * a side with no match makes it false, for every operator. A filter that follows a wildcard
 * (`$.items[*][?(...)]`, `$.items.*[?(...)]`) tests the items, as one that follows the list does.
 */
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import type { ToleranceKind } from './kind.js';
import { isDict, pickTarget, pyEquals, show, targetName } from './pyvalue.js';
import { strictObject } from '../strict.js';

type Expr =
  | { k: 'or' | 'and'; items: Expr[] }
  | { k: 'not'; item: Expr }
  | { k: 'cmp'; op: string; left: Operand; right: Operand }
  | { k: 'exists'; path: Operand };
type Operand = { k: 'path'; root: '@' | '$'; steps: Step[] } | { k: 'value'; value: unknown };
type Step = { name: string } | { index: number } | { all: true };

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(==|!=|<=|>=|=|<|>)|(\(|\))|([@$](?:\.\*|\.[A-Za-z_][\w-]*|\[\*\]|\[-?\d+\]|\["(?:[^"\\]|\\.)*"\]|\['(?:[^'\\]|\\.)*'\])*)|([A-Za-z_]\w*))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read the filter at "${text.slice(at).trim()}"`);
    out.push(m[0].trim());
  }
  return out;
}

function parseLiteral(token: string): Operand | undefined {
  if (token.startsWith('"')) return { k: 'value', value: JSON.parse(token) as unknown };
  if (token.startsWith("'")) return { k: 'value', value: JSON.parse(`"${token.slice(1, -1).replace(/"/g, '\\"')}"`) };
  if (/^-?\d/.test(token)) return { k: 'value', value: Number(token) };
  if (token === 'true') return { k: 'value', value: true };
  if (token === 'false') return { k: 'value', value: false };
  if (token === 'null') return { k: 'value', value: null };
  return undefined;
}

function parsePath(token: string): Operand {
  const steps: Step[] = [];
  for (const m of token
    .slice(1)
    .matchAll(/\.\*|\[\*\]|\.([A-Za-z_][\w-]*)|\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\['((?:[^'\\]|\\.)*)'\]/g)) {
    if (m[0] === '.*' || m[0] === '[*]') steps.push({ all: true });
    else if (m[1] !== undefined) steps.push({ name: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ name: JSON.parse(m[3]) as string });
    else steps.push({ name: m[4] ?? '' });
  }
  return { k: 'path', root: token[0] as '@' | '$', steps };
}

/** Parses one filter expression of the jsonpath2 dialect into a tree. */
export function parseFilter(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const operand = (): Operand => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('the filter ends too early');
    if (t.startsWith('@') || t.startsWith('$')) return parsePath(t);
    const lit = parseLiteral(t);
    if (!lit) throw new Error(`unexpected "${t}" in the filter`);
    return lit;
  };
  const primary = (): Expr => {
    if (peek() === 'not') {
      i++;
      return { k: 'not', item: comparison() };
    }
    if (peek() === '(') {
      i++;
      const e = or();
      if (tokens[i++] !== ')') throw new Error('a "(" in the filter is not closed');
      return e;
    }
    return comparison();
  };
  const comparison = (): Expr => {
    if (peek() === 'not' || peek() === '(') return primary();
    const left = operand();
    const op = peek();
    if (op !== undefined && /^(==|!=|<=|>=|=|<|>)$/.test(op)) {
      i++;
      return { k: 'cmp', op: op === '==' ? '=' : op, left, right: operand() };
    }
    if (left.k === 'value') throw new Error(`a literal (${show(left.value)}) alone is not a filter`);
    return { k: 'exists', path: left };
  };
  const and = (): Expr => {
    const items = [primary()];
    while (peek() === 'and') {
      i++;
      items.push(primary());
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  };
  const or = (): Expr => {
    const items = [and()];
    while (peek() === 'or') {
      i++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  };
  const e = or();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]}" in the filter`);
  return e;
}

function walk(value: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [value];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('all' in s) {
        if (Array.isArray(v)) next.push(...(v as unknown[]));
        else if (isDict(v)) next.push(...Object.values(v));
      } else if ('index' in s) {
        if (Array.isArray(v)) {
          const idx = s.index < 0 ? v.length + s.index : s.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (isDict(v) && Object.hasOwn(v, s.name)) next.push(v[s.name]);
    }
    current = next;
  }
  return current;
}

/** Python `int`/`float` for jsonpath2's ordering operators: booleans are ints in Python. */
const isPyNumber = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';

const OPS: Record<string, (a: unknown, b: unknown) => boolean> = {
  '=': (a, b) => pyEquals(a, b),
  '!=': (a, b) => !pyEquals(a, b),
  '<': (a, b) => isPyNumber(a) && isPyNumber(b) && Number(a) < Number(b),
  '<=': (a, b) => isPyNumber(a) && isPyNumber(b) && Number(a) <= Number(b),
  '>': (a, b) => isPyNumber(a) && isPyNumber(b) && Number(a) > Number(b),
  '>=': (a, b) => isPyNumber(a) && isPyNumber(b) && Number(a) >= Number(b),
};

/** Evaluates a parsed filter on one candidate node (`@`) of a document (`$`). */
export function evalFilter(e: Expr, current: unknown, root: unknown): boolean {
  const values = (o: Operand): unknown[] =>
    o.k === 'value' ? [o.value] : walk(o.root === '@' ? current : root, o.steps);
  switch (e.k) {
    case 'or':
      return e.items.some((x) => evalFilter(x, current, root));
    case 'and':
      return e.items.every((x) => evalFilter(x, current, root));
    case 'not':
      return !evalFilter(e.item, current, root);
    case 'exists':
      return values(e.path).length > 0;
    case 'cmp': {
      const op = OPS[e.op]!;
      const right = values(e.right);
      return values(e.left).some((l) => right.some((r) => op(l, r)));
    }
  }
}

/**
 * Splits a path into the `jsonpath-plus` path that runs (each filter replaced by a call `__fN(@)`) and the
 * parsed filters. Paths without filters are returned unchanged.
 *
 * @example
 * translateJsonPath('$.items[*][?(@.a = "x")]').path; // '$.items[?(__f0(@))]'
 */
export function translateJsonPath(path: string): { path: string; filters: Expr[] } {
  let out = '';
  let i = 0;
  const filters: Expr[] = [];
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
    out += `${head}[?(__f${filters.length}(@))`;
    filters.push(parseFilter(path.slice(start + 3, end - 1)));
    i = end;
  }
  return { path: out + path.slice(i), filters };
}

/** All values matched by a (jsonpath2-dialect) path; `[]` when the value is not a document. */
export function jsonPathValues(path: string, json: unknown): unknown[] {
  if (path.trim() === '$') return [json];
  if (typeof json !== 'object' || json === null) return [];
  const t = translateJsonPath(path);
  const sandbox: Record<string, (node: unknown) => boolean> = {};
  t.filters.forEach((f, n) => (sandbox[`__f${n}`] = (node) => evalFilter(f, node, json)));
  const found: unknown[] | undefined = JSONPath<unknown[] | undefined>({
    path: t.path,
    json,
    wrap: true,
    // typed as a Map, read as a plain object (jsonpath-plus spreads it into the filter's scope)
    sandbox: sandbox as unknown as Map<string, unknown>,
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
    const document = parseIfText(pickTarget(output, tol.target));
    let values: unknown[];
    try {
      values = jsonPathValues(path, document);
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
