/**
 * Turns zod issues into problems a person can act on: the key path, what is expected and what was found
 * (`method[2].provider.url: required string is missing`). zod's own default messages ("Invalid input…") are
 * rewritten; the schema's custom messages are kept.
 *
 * Unions: when exactly one branch matched the value's shape (its issues are all below the value), that
 * branch's issues are reported instead of a vague "does not match".
 */
import type { z } from 'zod';
import { didYouMean, editDistance, nearest } from '../core/suggest.js';

/** One problem found in a document, relative to its root. */
export interface Problem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

type Issue = z.core.$ZodIssue;

const DEFAULT_MESSAGE =
  /^(Invalid input|Invalid option|Invalid string|Invalid discriminator|Too (small|big)|Invalid)\b/;

/**
 * Converts the issues of `schema.safeParse(root)` into problems, without duplicates.
 *
 * @example
 * const r = experimentSchema.safeParse(doc);
 * if (!r.success) for (const p of issuesToProblems(r.error.issues, doc)) console.log(p.path, p.message);
 */
export function issuesToProblems(issues: readonly Issue[], root: unknown): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const problem of issues.flatMap((issue) => convert(issue, [], root))) {
    const key = `${JSON.stringify(problem.path)}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

function convert(issue: Issue, base: (string | number)[], root: unknown): Problem[] {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue, path);
  if (issue.code === 'invalid_union') {
    if ((issue as { note?: string }).note === 'No matching discriminator') return [discriminator(issue, path, root)];
    // Unknown keys are about the inside of the value too: the branch still matched its shape.
    const matched = issue.errors.filter((branch) =>
      branch.every((e) => e.path.length > 0 || e.code === 'unrecognized_keys'),
    );
    // Several branches fit the shape: the one with the fewest problems is what the author meant.
    const fewest = Math.min(...matched.map((b) => b.length));
    const best = matched.filter((b) => b.length === fewest);
    if (best.length === 1) return (best[0] as Issue[]).flatMap((e) => convert(e, path, root));
  }
  const { found, value } = lookup(root, path);
  const custom = !DEFAULT_MESSAGE.test(issue.message);
  if (!found) {
    // A required object (a provider) says so, whatever message the union around it carries.
    const object = issue.code === 'invalid_type' && issue.expected === 'object';
    const instead = misspelt(root, path);
    if (custom && !object) return [{ path: path.slice(0, -1), message: `${issue.message}${instead}` }];
    return [{ path, message: `required ${expectedOf(issue)} is missing${instead}` }];
  }
  if (custom) return [{ path, message: issue.message }];
  return [{ path, message: describeIssue(issue, value) }];
}

/** One problem per unknown key, at the key itself (`strict.ts` puts one message line per key). */
function unknownKeys(issue: Issue & { code: 'unrecognized_keys' }, path: (string | number)[]): Problem[] {
  const lines = issue.message.split('\n');
  return issue.keys.map((key, i) => ({
    path: [...path, key],
    message: lines.length === issue.keys.length ? (lines[i] as string) : `${JSON.stringify(key)} is not a known key`,
  }));
}

function discriminator(issue: Issue & { code: 'invalid_union' }, path: (string | number)[], root: unknown): Problem {
  const options = ((issue as { options?: unknown[] }).options ?? []).filter((o) => o !== undefined && o !== null);
  const list = options.map((o) => JSON.stringify(o)).join(', ');
  const { found, value } = lookup(root, path);
  const parent = path.at(-2);
  const what = parent === 'provider' ? 'provider type' : parent === 'tolerance' ? 'tolerance type' : 'type';
  const near = typeof value === 'string' ? nearest(value, options.map(String)) : undefined;
  const hint = near !== undefined ? `did you mean ${JSON.stringify(near)}? (one of ${list})` : `use one of ${list}`;
  if (!found) {
    const key = String(path.at(-1));
    return {
      path,
      message: `required ${JSON.stringify(key)} is missing${misspelt(root, path)}`,
      hint: `use one of ${list}`,
    };
  }
  if (parent === 'tolerance') {
    return { path, message: `hypothesis probe tolerance type ${JSON.stringify(value)} is unsupported`, hint };
  }
  return { path, message: `${what} ${JSON.stringify(value)} is unknown`, hint };
}

function describeIssue(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${expectedOf(issue)}, got ${kindOf(value)}`;
    case 'invalid_value': {
      const expected = `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(value)}`;
      const names = issue.values.filter((v): v is string => typeof v === 'string');
      return typeof value === 'string' && nearest(value, names) ? `${expected}; ${didYouMean(value, names)}` : expected;
    }
    case 'too_small':
      return issue.origin === 'string'
        ? 'must not be empty'
        : `must be ${bound(issue.inclusive, '≥', '>')} ${issue.minimum}`;
    case 'too_big':
      return `must be ${bound(issue.inclusive, '≤', '<')} ${issue.maximum}`;
    case 'invalid_format':
      return `${JSON.stringify(value)} is not in the expected format`;
    case 'invalid_union':
      return `${kindOf(value)} does not match any allowed form`;
    default:
      return issue.message;
  }
}

function bound(inclusive: boolean | undefined, yes: string, no: string): string {
  return inclusive === false ? no : yes;
}

function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') {
    const e = issue.expected;
    return e === 'int' ? 'integer' : e === 'record' ? 'object' : e === 'tuple' ? 'list' : e === 'array' ? 'list' : e;
  }
  if (issue.code === 'invalid_value') return issue.values.map((v) => JSON.stringify(v)).join(' or ');
  return 'value';
}

/** `; did you mean "key" instead of "kye"?` when the missing key's parent has a key one edit away from it. */
function misspelt(root: unknown, path: (string | number)[]): string {
  const key = path.at(-1);
  if (typeof key !== 'string') return '';
  const parent = lookup(root, path.slice(0, -1)).value;
  if (!isRecord(parent)) return '';
  // "type" is the discriminator everywhere: an object without one may have it misspelt whatever key was missed.
  for (const wanted of Object.hasOwn(parent, 'type') ? [key] : [key, 'type']) {
    const typo = Object.keys(parent).find((k) => k !== wanted && editDistance(k, wanted) <= 1);
    if (typo !== undefined) return `; did you mean ${JSON.stringify(wanted)} instead of ${JSON.stringify(typo)}?`;
  }
  return '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `null`, `list`, `integer 3`, `float 0.5`, `string "x"`, `object`, `boolean true`. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? `integer ${value}` : `float ${value}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** The value at `path` and whether it exists (a key set to `null` exists). */
export function lookup(root: unknown, path: readonly (string | number)[]): { found: boolean; value: unknown } {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return { found: current !== undefined, value: current };
}
