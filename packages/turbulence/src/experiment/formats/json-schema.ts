/**
 * A small JSON-Schema checker for the draft-7 subset that PowerfulSeal's `ps-schema.yaml` uses (`type`, `enum`,
 * `properties`, `required`, `additionalProperties`, `items`, `oneOf`, `$ref` into `#/definitions`, `minimum`,
 * `maximum`, `minLength`, `maxLength`, `default`, `description`).
 *
 * Unlike a generic validator it never says "not valid under any of the given schemas": for a `oneOf` it picks the
 * branch the value was meant for (the one declaring most of the value's keys, then the one whose errors go deepest)
 * and reports that branch's errors, and an unknown key gets the nearest valid key, or the key it belongs under.
 */
import { nearest } from '../../core/suggest.js';

/** A JSON Schema node (the subset above). */
export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  definitions?: Record<string, SchemaNode>;
}

/** One problem: where (key path from the document root), what, and how to fix it. */
export interface SchemaProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

/**
 * Checks `value` against `schema` (whose `definitions` hold the `$ref` targets).
 *
 * @example
 * checkSchema(psSchema, policy); // [{ path: ['scenarios', 0, 'steps', 5, 'podAction', 'retriesTimeout'], ... }]
 */
export function checkSchema(schema: SchemaNode, value: unknown): SchemaProblem[] {
  return check(schema, value, [], schema.definitions ?? {});
}

function resolve(node: SchemaNode, defs: Record<string, SchemaNode>): SchemaNode {
  let n = node;
  for (let i = 0; i < 20 && n.$ref; i++) {
    const name = /^#\/definitions\/(.+)$/.exec(n.$ref)?.[1];
    const target = name ? defs[name] : undefined;
    if (!target) break;
    const { $ref: _ignored, ...siblings } = n;
    n = { ...siblings, ...target };
  }
  return n;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

function check(
  raw: SchemaNode,
  v: unknown,
  path: (string | number)[],
  defs: Record<string, SchemaNode>,
): SchemaProblem[] {
  const s = resolve(raw, defs);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(t, v))) {
      return [{ path, message: `must be ${types.map(article).join(' or ')}, not ${article(typeOf(v))}` }];
    }
  }
  if (s.enum && !s.enum.some((e) => e === v)) {
    const word = typeof v === 'string' ? nearest(v, s.enum.map(String)) : undefined;
    return [
      {
        path,
        message: `${JSON.stringify(v)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
        ...(word ? { hint: `did you mean "${word}"?` } : {}),
      },
    ];
  }
  const out: SchemaProblem[] = [];
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.push({ path, message: `must be at least ${s.minimum}` });
    if (s.maximum !== undefined && v > s.maximum) out.push({ path, message: `must be at most ${s.maximum}` });
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) {
      out.push({ path, message: `must be at least ${s.minLength} characters long` });
    }
    if (s.maxLength !== undefined && v.length > s.maxLength) {
      out.push({ path, message: `must be at most ${s.maxLength} characters long` });
    }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v))
    out.push(...checkObject(s, v as Record<string, unknown>, path, defs));
  if (Array.isArray(v) && s.items)
    v.forEach((item, i) => out.push(...check(s.items as SchemaNode, item, [...path, i], defs)));
  if (s.oneOf) out.push(...checkOneOf(s.oneOf, v, path, defs));
  return out;
}

function checkObject(
  s: SchemaNode,
  v: Record<string, unknown>,
  path: (string | number)[],
  defs: Record<string, SchemaNode>,
): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const props = s.properties ?? {};
  const known = Object.keys(props);
  for (const key of Object.keys(v)) {
    const sub = props[key];
    if (sub) out.push(...check(sub, v[key], [...path, key], defs));
    else if (s.additionalProperties === false) out.push(unknownKey(key, known, props, path, defs));
    else if (typeof s.additionalProperties === 'object')
      out.push(...check(s.additionalProperties, v[key], [...path, key], defs));
  }
  for (const key of s.required ?? []) {
    if (!(key in v)) out.push({ path: [...path, key], message: `"${key}" is required here` });
  }
  return out;
}

function unknownKey(
  key: string,
  known: string[],
  props: Record<string, SchemaNode>,
  path: (string | number)[],
  defs: Record<string, SchemaNode>,
): SchemaProblem {
  const message = `unknown key "${key}"`;
  const near = nearest(key, known);
  if (near) return { path: [...path, key], message, hint: `did you mean "${near}"?` };
  // A key that belongs one level down (e.g. retriesTimeout under retries).
  for (const [name, sub] of Object.entries(props)) {
    if (keysOf(sub, defs).includes(key)) {
      return { path: [...path, key], message, hint: `"${key}" belongs under "${name}": move it to ${name}.${key}` };
    }
  }
  const list = known.length > 0 ? `valid keys here: ${known.join(', ')}` : 'no keys are allowed here';
  return { path: [...path, key], message, hint: list };
}

/** The keys a schema (or any of its oneOf branches) declares. */
function keysOf(raw: SchemaNode, defs: Record<string, SchemaNode>): string[] {
  const s = resolve(raw, defs);
  const own = Object.keys(s.properties ?? {});
  const branches = (s.oneOf ?? []).flatMap((b) => Object.keys(resolve(b, defs).properties ?? {}));
  return [...own, ...branches];
}

function checkOneOf(
  branches: SchemaNode[],
  v: unknown,
  path: (string | number)[],
  defs: Record<string, SchemaNode>,
): SchemaProblem[] {
  const results = branches.map((b) => ({ b: resolve(b, defs), problems: check(b, v, path, defs) }));
  const passing = results.filter((r) => r.problems.length === 0);
  if (passing.length === 1) return [];
  const keys = v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
  if (passing.length > 1) {
    // Ambiguous only when no single branch declares the value's keys (PowerfulSeal's steps never are).
    const declared = passing.filter((r) => keys.some((k) => k in (r.b.properties ?? {})));
    if (declared.length === 1) return [];
    return [{ path, message: 'matches more than one of the allowed forms', hint: 'give exactly one of them' }];
  }
  const score = (r: (typeof results)[number]) => keys.filter((k) => k in (r.b.properties ?? {})).length;
  const depth = (r: (typeof results)[number]) => Math.max(...r.problems.map((p) => p.path.length));
  const best = [...results].sort((a, b) => score(b) - score(a) || depth(b) - depth(a))[0];
  if (!best) return [];
  if (score(best) === 0 && keys.length > 0) {
    const forms = [...new Set(results.flatMap((r) => Object.keys(r.b.properties ?? {})))];
    const near = keys.map((k) => nearest(k, forms)).find((n) => n !== undefined);
    return [
      {
        path: keys.length === 1 ? [...path, keys[0] as string] : path,
        message: keys.length === 1 ? `unknown key "${keys[0]}"` : `none of ${keys.join(', ')} is allowed here`,
        hint: near ? `did you mean "${near}"?` : `use one of: ${forms.join(', ')}`,
      },
    ];
  }
  return best.problems;
}

function article(t: string): string {
  if (t === 'null') return 'null';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
