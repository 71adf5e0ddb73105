/**
 * Request matching for HTTP toxics: the attributes `method`, `path`, `header` and `query`, each empty by default
 * (= any request). Globs and `/regex/flags` compile to RE2 (`re2js`), so matching is linear in the input and no
 * pattern can stall the proxy by backtracking.
 *
 * | attribute | example                 | matches                                                          |
 * |-----------|-------------------------|------------------------------------------------------------------|
 * | `method`  | `GET` or `GET,HEAD`     | the request method (case-insensitive), one of a comma list       |
 * | `path`    | `/api/*` or `/^\/v\d+/` | the path without the query; `*` is any run of characters, `?` one |
 * | `header`  | `X-Tenant: blue*`       | a header whose value matches the glob; `X-Tenant` alone = present |
 * | `query`   | `debug=1` or `page`     | a query parameter whose value matches the glob; a name = present |
 */
import { RE2JS } from 're2js';
import { z } from 'zod';

/** The match attributes every HTTP toxic accepts. */
export interface MatchAttributes {
  method: string;
  path: string;
  header: string;
  query: string;
}

/** What a matcher reads from a request. */
export interface RequestView {
  method: string;
  /** The request target as sent (`/path?query`). */
  url: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

type Test = (value: string) => boolean;

/**
 * A glob (`*`, `?`) or `/regex/flags` as an RE2 matcher; throws an Error whose message says what is wrong.
 * A glob must match the whole value; a regex matches anywhere (anchor it with `^…$`).
 */
export function pattern(text: string): Test {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (regex) {
    let flags = 0;
    for (const f of regex[2] as string) {
      if (f === 'i') flags |= RE2JS.CASE_INSENSITIVE;
      else if (f === 's') flags |= RE2JS.DOTALL;
      else if (f === 'm') flags |= RE2JS.MULTILINE;
      else throw new Error(`unknown regex flag ${f} (use i, s or m)`);
    }
    let re: RE2JS;
    try {
      re = RE2JS.compile(regex[1] as string, flags);
    } catch (err) {
      throw new Error(`${text} is not a valid RE2 regular expression: ${(err as Error).message}`);
    }
    return (value) => re.matcher(value).find();
  }
  if (!/[*?]/.test(text)) return (value) => value === text;
  const pieces = starGlob(text);
  if (pieces) return pieces;
  let source = '';
  for (const ch of text) source += ch === '*' ? '.*' : ch === '?' ? '.' : RE2JS.quote(ch);
  const re = RE2JS.compile(`^${source}$`, RE2JS.DOTALL);
  return (value) => re.matches(value);
}

/**
 * An ASCII glob whose only wildcard is `*` (`/api/*`, `*.json`), matched by its literal pieces in order: the same
 * answer as its RE2 form (`^/api/.*$`, dot-all), at a fraction of the cost per request. The first piece must
 * start the value, the last end it, and the ones between are found leftmost, in order, without overlapping.
 * Undefined for any other glob (RE2 handles it).
 */
export function starGlob(text: string): Test | undefined {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f || text[i] === '?') return undefined;
  const parts = text.split('*');
  if (parts.length < 2) return undefined;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const least = first.length + last.length;
  return (value) => {
    if (value.length < least || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let at = first.length;
    for (const piece of middle) {
      const found = value.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** The zod shape of the match attributes, with checks that name the attribute and the fix. */
export const matchShape = {
  method: z
    .string({ error: 'method must be a string such as GET or GET,POST' })
    .regex(/^[A-Za-z, ]*$/, { error: 'method must be HTTP method names separated by commas, e.g. GET,POST' })
    .default(''),
  path: z
    .string({ error: 'path must be a string: a glob such as /api/* or a /regex/' })
    .refine((v) => v === '' || v.startsWith('/'), {
      error: 'path must start with / (a glob such as /api/* or a /regex/)',
    })
    .superRefine((v, ctx) => checkPattern('path', v, ctx))
    .default(''),
  header: z
    .string({ error: 'header must be a string "Name: value-glob"' })
    .superRefine((v, ctx) => {
      const { name, value } = splitPair(v, ':');
      if (v !== '' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `header: ${JSON.stringify(name)} is not a header name (write "Name: value-glob")`,
        });
      }
      if (value !== undefined) checkPattern('header', value, ctx);
    })
    .default(''),
  query: z
    .string({ error: 'query must be a string "name=value-glob"' })
    .superRefine((v, ctx) => {
      const { value } = splitPair(v, '=');
      if (value !== undefined) checkPattern('query', value, ctx);
    })
    .default(''),
};

function checkPattern(what: string, value: string, ctx: z.RefinementCtx): void {
  try {
    pattern(value);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `${what}: ${(err as Error).message} (fix: a glob with * and ?, or /regex/ in RE2 syntax: no backreferences or lookaround)`,
    });
  }
}

function splitPair(text: string, sep: string): { name: string; value: string | undefined } {
  const at = text.indexOf(sep);
  if (at < 0) return { name: text.trim(), value: undefined };
  return { name: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
}

const compiled = new WeakMap<object, (req: RequestView) => boolean>();

/** Whether `req` matches the toxic's match attributes (compiled once per attribute object). */
export function matches(attributes: MatchAttributes, req: RequestView): boolean {
  let test = compiled.get(attributes);
  if (!test) {
    test = compile(attributes);
    compiled.set(attributes, test);
  }
  return test(req);
}

function compile(a: MatchAttributes): (req: RequestView) => boolean {
  const tests: ((req: RequestView) => boolean)[] = [];
  if (a.method.trim() !== '') {
    const methods = new Set(
      a.method
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean),
    );
    tests.push((req) => methods.has(req.method.toUpperCase()));
  }
  if (a.path !== '') {
    const test = pattern(a.path);
    tests.push((req) => test(pathOf(req.url)));
  }
  if (a.header !== '') {
    const { name, value } = splitPair(a.header, ':');
    const key = name.toLowerCase();
    const test = value === undefined ? undefined : pattern(value);
    tests.push((req) => {
      const got = req.headers[key];
      if (got === undefined) return false;
      if (!test) return true;
      return (Array.isArray(got) ? got : [got]).some(test);
    });
  }
  if (a.query !== '') {
    const { name, value } = splitPair(a.query, '=');
    const test = value === undefined ? undefined : pattern(value);
    tests.push((req) => {
      const q = req.url.indexOf('?');
      if (q < 0) return false;
      const values = new URLSearchParams(req.url.slice(q + 1)).getAll(name);
      if (values.length === 0) return false;
      return !test || values.some(test);
    });
  }
  if (tests.length === 0) return () => true;
  return (req) => tests.every((t) => t(req));
}

/** The path of a request target, without the query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
