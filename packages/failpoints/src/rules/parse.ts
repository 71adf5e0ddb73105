/**
 * @module Rule validation, by hand (the package has no dependencies): every problem names the rule (or the rules
 * file and the rule's index) and the field, e.g. `rules[2].when.host: fs.promises.readFile has no "host" fact; it
 * can match: path`.
 *
 *   { "name": "disk-eio", "target": "fs.promises.readFile", "when": { "path": "/data/**" }, "action": "50%error(EIO)" }
 */
import { readFileSync } from 'node:fs';
import { FailpointConfigError } from '../errors.js';
import { parseActions } from '../grammar.js';
import type { Action } from '../grammar.js';
import { unsupported } from './styles.js';
import { coreTargets } from './targets/index.js';
import type { Rule, Style, When } from './types.js';

const WHEN_KINDS: Record<keyof When, 'string' | 'number'> = {
  path: 'string',
  dest: 'string',
  host: 'string',
  port: 'number',
  method: 'string',
  url: 'string',
  command: 'string',
};

/** Where a rule came from: `where` starts the message, `at` starts the field path (`rules[2]`, or empty). */
interface Place {
  readonly where: string | undefined;
  readonly at: string;
}

/** A problem with one field of a rule: `<where>: <at>.<field>: <reason>`. */
function problem(place: Place, field: string, reason: string): FailpointConfigError {
  const path = [place.at, field].filter(Boolean).join('.');
  return new FailpointConfigError(path ? `${path}: ${reason}` : reason, place.where);
}

/** `app:src/store.js#commit` → `{ module: 'src/store.js', name: 'commit' }`. */
export function parseAppTarget(target: string): { module: string; name: string } | undefined {
  const m = /^app:(?:\.\/)?([^#]+)#([\w$]+)$/.exec(target);
  return m ? { module: m[1] as string, name: m[2] as string } : undefined;
}

/**
 * The `when` fields a target can test: the facts its readers give (`app:` targets have none). Undefined for an
 * unknown target.
 *
 * @example
 * whenFields('fs.promises.rename'); // ['path', 'dest']
 */
export function whenFields(target: string): readonly (keyof When)[] | undefined {
  const def = coreTargets.get(target);
  if (def) return (Object.keys(def.facts) as (keyof When)[]).filter((k) => k in WHEN_KINDS);
  return parseAppTarget(target) ? [] : undefined;
}

function styleOf(target: string, place: Place): Style {
  const def = coreTargets.get(target);
  if (def) return def.style;
  if (parseAppTarget(target)) return 'auto';
  throw problem(
    place,
    'target',
    `unknown target "${target}"; use a core function such as fs.promises.readFile, net.connect, dns.lookup, ` +
      'http.request, child_process.spawn, fetch, or app:<module path>#<export>',
  );
}

/** The reason a `when` field is refused on a target that has no such fact, with the fields it does have. */
function noFact(target: string, key: string, fields: readonly string[]): string {
  const has = `${target} has no ${JSON.stringify(key)} fact`;
  if (fields.length === 0) return `${has}; it can match: nothing (app: targets take no "when": remove it)`;
  return `${has}; it can match: ${fields.join(', ')}`;
}

/**
 * Checks `when` against the facts of the target: a field the target cannot read would never match, so it is
 * refused rather than silently ignored.
 */
function parseWhen(raw: unknown, target: string, place: Place): When | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw problem(place, 'when', 'must be an object such as { "path": "/data/**" }');
  const fields = whenFields(target) ?? [];
  for (const [k, v] of Object.entries(raw)) {
    const field = `when.${k}`;
    if (!(fields as readonly string[]).includes(k)) throw problem(place, field, noFact(target, k, fields));
    const kind = WHEN_KINDS[k as keyof When];
    if (typeof v !== kind)
      throw problem(place, field, `must be a ${kind === 'number' ? 'number, e.g. 5432' : 'string (a glob)'}`);
  }
  return raw;
}

function actionsOf(spec: string, place: Place): Action[] {
  try {
    return parseActions(spec);
  } catch (err) {
    throw problem(place, 'action', (err as Error).message);
  }
}

/**
 * The fields a rule may carry: its own, what `GET /rules` adds (so a listed rule can be sent back), and free text.
 * Anything else is refused: a misspelt `when` would otherwise leave a rule that fires on every call.
 */
const RULE_FIELDS = ['name', 'target', 'when', 'action', 'hits', 'fired', 'comment', 'description'];

/** The known field closest to a misspelt one (at most two edits away), for the error's hint. */
function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of RULE_FIELDS) {
    const d = editDistance(key.toLowerCase(), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + cost);
    }
    row = next;
  }
  return row[b.length] as number;
}

function checkFields(r: Record<string, unknown>, place: Place): void {
  for (const key of Object.keys(r)) {
    if (RULE_FIELDS.includes(key)) continue;
    const near = closest(key);
    throw problem(
      place,
      key,
      `unknown field${near ? `; did you mean "${near}"?` : ''} (a rule has ${RULE_FIELDS.slice(0, 4).join(', ')}, ` +
        'and may carry "comment" or "description")',
    );
  }
}

function check(raw: unknown, name: string | undefined, at: string, file: string | undefined): Rule {
  const named = (n: unknown): Place => ({
    where: file ?? (typeof n === 'string' && n !== '' ? `rule ${n}` : undefined),
    at,
  });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw problem(named(name), '', 'a rule must be an object');
  const r = raw as Record<string, unknown>;
  const ruleName = name ?? r.name;
  const place = named(ruleName);
  if (typeof ruleName !== 'string' || ruleName === '')
    throw problem(place, 'name', 'a rule needs a "name" (a non-empty string)');
  checkFields(r, place);
  if (typeof r.target !== 'string') throw problem(place, 'target', 'must be a string such as "fs.promises.readFile"');
  if (typeof r.action !== 'string') throw problem(place, 'action', 'must be a string such as "error(EIO)"');
  const style = styleOf(r.target, place);
  const actions = actionsOf(r.action, place);
  for (const a of actions) {
    const why = unsupported(style, a.task);
    if (why) throw problem(place, 'action', `${r.target}: ${why}`);
  }
  return { name: ruleName, target: r.target, when: parseWhen(r.when, r.target, place), action: r.action, actions };
}

/**
 * Validates one rule; `name` wins over a name inside the object. A problem is a {@link FailpointConfigError}
 * naming the rule and the field: `rule disk: when.host: fs.promises.readFile has no "host" fact; it can match: path`.
 *
 * @example
 * parseRule({ target: 'dns.lookup', when: { host: '*.internal' }, action: 'error(ENOTFOUND)' }, 'no-internal-dns');
 */
export function parseRule(raw: unknown, name?: string): Rule {
  return check(raw, name, '', undefined);
}

/**
 * Reads a rules file: `{ "rules": [...] }` or a bare array of rules, each with a name. A problem names the file,
 * the rule's index and the field: `rules.json: rules[2].when.host: ...`.
 *
 * @example
 * const rules = readRulesFile(process.env.TURBULENCE_RULES!);
 */
export function readRulesFile(file: string): Rule[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FailpointConfigError(`cannot read rules: ${(err as Error).message}`, file);
  }
  const list = Array.isArray(data) ? data : (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new FailpointConfigError('expected { "rules": [ ... ] } or an array of rules', file);
  return list.map((r, i) => check(r, undefined, `rules[${i}]`, file));
}
