/**
 * @module Key paths into a configuration document: `server.port`, `a.b[2].c`, `servers["eu.west"].host`.
 * Parsing is pure; {@link walkPlain} finds a key in plain data (JSON, TOML, INI) and says which part is missing.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';

/** One step of a key path: a map key or an array index. */
export type KeySegment = string | number;

const invalid = (path: string, why: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `key ${JSON.stringify(path)} is not a key path: ${why}`, {
    location: { path: ['params', 'key'] },
    hint: 'write keys joined by dots and array indexes in brackets, e.g. server.port or a.b[2].c; quote a key holding a dot: a["x.y"]',
  });

/**
 * Splits a key path into segments.
 *
 * @example
 * parseKeyPath('a.b[2].c');        // ['a', 'b', 2, 'c']
 * parseKeyPath('hosts["eu.west"]'); // ['hosts', 'eu.west']
 */
export function parseKeyPath(path: string): KeySegment[] {
  const out: KeySegment[] = [];
  let i = 0;
  let expectKey = true;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw invalid(path, `"[" at ${i + 1} is never closed`);
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) out.push(JSON.parse(inner) as string);
      else throw invalid(path, `[${inner}] is neither an index nor a quoted key`);
      i = close + 1;
      expectKey = false;
    } else if (ch === '.') {
      if (expectKey) throw invalid(path, `empty key at ${i + 1}`);
      i += 1;
      expectKey = true;
    } else {
      if (!expectKey) throw invalid(path, `a key after "]" needs a dot (at ${i + 1})`);
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
      out.push(path.slice(i, end));
      i = end;
      expectKey = false;
    }
  }
  if (out.length === 0 || expectKey) throw invalid(path, path.length === 0 ? 'it is empty' : 'it ends with a dot');
  return out;
}

/** A key path as people write it: `a.b[2].c`. */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  return segments
    .map((s, i) =>
      typeof s === 'number' ? `[${s}]` : /^[^.[\]"]+$/.test(s) ? `${i > 0 ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

/**
 * The error for a key path whose `segments[at]` is missing below `formatKeyPath(segments.slice(0, at))`, naming
 * what is there instead.
 */
export function keyNotFound(
  file: string,
  segments: readonly KeySegment[],
  at: number,
  present: readonly string[] | { length: number } | 'scalar',
): TurbulenceError {
  const whole = formatKeyPath(segments);
  const parent = at === 0 ? 'the top level' : formatKeyPath(segments.slice(0, at));
  const part = segments[at]!;
  let why: string;
  let hint: string;
  if (present === 'scalar') {
    why = `${parent} is a plain value, not a map or a list, so it has no ${JSON.stringify(part)}`;
    hint = `the key path ends at ${parent}`;
  } else if (Array.isArray(present)) {
    const keys = present as readonly string[];
    why = `${parent} has no key ${JSON.stringify(String(part))}`;
    hint =
      keys.length > 0
        ? `${didYouMean(String(part), keys)} (keys there: ${keys.slice(0, 12).join(', ')})`
        : `${parent} is empty`;
  } else {
    why =
      typeof part === 'number'
        ? `${parent} has ${present.length} item(s), so there is no [${part}]`
        : `${parent} is a list: index it with [N], not .${part}`;
    hint = `valid indexes are 0..${Math.max(0, present.length - 1)}`;
  }
  return new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${file}: key ${whole} not found: ${why}`, {
    location: { file, path: ['params', 'key'] },
    hint,
  });
}

type Plain = Record<string, unknown> | unknown[];

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * The container holding the last segment of `segments` in plain data, checking every step. With `create`, the last
 * key may be missing (it is added); without it, a missing last key is an error too.
 */
export function walkPlain(
  file: string,
  root: unknown,
  segments: readonly KeySegment[],
  create: boolean,
): { parent: Plain; key: KeySegment; exists: boolean } {
  let node: unknown = root;
  for (let i = 0; i < segments.length; i += 1) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    let exists: boolean;
    if (Array.isArray(node)) {
      if (typeof seg !== 'number') throw keyNotFound(file, segments, i, { length: node.length });
      exists = seg < node.length;
      if (!exists && !(last && create && seg === node.length))
        throw keyNotFound(file, segments, i, { length: node.length });
    } else if (isMap(node)) {
      exists = Object.prototype.hasOwnProperty.call(node, String(seg));
      if (!exists && !(last && create)) throw keyNotFound(file, segments, i, Object.keys(node));
    } else {
      throw keyNotFound(file, segments, i, 'scalar');
    }
    if (last) return { parent: node as Plain, key: seg, exists };
    node = (node as Record<string, unknown>)[String(seg)];
  }
  throw keyNotFound(file, segments, 0, 'scalar'); // unreachable: parseKeyPath never returns []
}
