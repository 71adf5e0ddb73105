/**
 * `${...}` substitution, exactly like Python's `string.Template.safe_substitute` as Chaos Toolkit uses it (§5):
 *
 * - `$name` and `${name}` with names matching `[_a-zA-Z][_a-zA-Z0-9]*` (so `${some-service}` never matches);
 * - `$$` is a literal `$`; unknown names and stray `$` are left untouched;
 * - lookup: configuration first, then each secrets scope in declaration order;
 * - a string that is exactly `${name}` keeps the value's type (`"${port}"` → `8080`);
 * - objects and lists are walked recursively; keys are never substituted.
 *
 * Ours: `${steps.<activity name>.output}` and `${steps.<name>.output.a.b[0]}` read the output of an activity that
 * ran earlier (the name may hold spaces and dashes, not `}` or `.`); typed when alone in the string, left as-is
 * when the activity or the path is unknown.
 */

import { pyStr } from '../providers/pystr.js';

/** What `${...}` can see. */
export interface SubstitutionScope {
  configuration: Record<string, unknown>;
  secrets: Record<string, Record<string, unknown>>;
  /** Outputs of earlier activities by name (ours). */
  steps?: ReadonlyMap<string, unknown>;
  /**
   * Leave `$$` as it is. Chaos Toolkit substitutes provider `arguments` only `if configuration or secrets`
   * (chaoslib/provider/process.py, http.py, python.py), so with neither, `$$` reaches the command unchanged.
   */
  keepEscapes?: boolean;
}

const NAME = '[_a-zA-Z][_a-zA-Z0-9]*';
const STEPS = String.raw`\{steps\.([^}.]+)\.output((?:\.[^.}\[\]]+|\[\d+\])*)\}`;
/** One alternation, tried left to right at each `$`, like Template's pattern (escaped, named, braced, invalid). */
const PATTERN = new RegExp(String.raw`\$(?:(\$)|${STEPS}|(${NAME})|\{(${NAME})\})`, 'g');
const WHOLE_NAME = new RegExp(String.raw`^\$\{(${NAME})\}$`);
const WHOLE_STEPS = new RegExp(String.raw`^\$${STEPS}$`);

const MISSING = Symbol('missing');

/**
 * Substitutes `${...}` placeholders in a value (string, list or object), returning a new value.
 *
 * @example
 * substitute({ url: 'http://${host}:${port}/', port: '${port}' }, { configuration: { host: 'h', port: 80 }, secrets: {} });
 * // → { url: 'http://h:80/', port: 80 }
 */
export function substitute<T>(value: T, scope: SubstitutionScope): T {
  return walk(value, scope) as T;
}

/**
 * Substitutes one string. Returns the looked-up value itself when the string is exactly one braced placeholder.
 *
 * @example
 * substituteString('${timeout}', { configuration: { timeout: 3 }, secrets: {} }); // 3
 */
export function substituteString(text: string, scope: SubstitutionScope): unknown {
  const whole = WHOLE_NAME.exec(text);
  if (whole) {
    const found = lookup(whole[1] as string, scope);
    if (found !== MISSING) return found;
  }
  const wholeStep = WHOLE_STEPS.exec(text);
  if (wholeStep) {
    const found = stepOutput(wholeStep[1] as string, wholeStep[2] ?? '', scope);
    if (found !== MISSING) return found;
  }
  return text.replace(PATTERN, (match, escaped, step, path, named, braced) => {
    if (escaped !== undefined) return scope.keepEscapes ? match : '$';
    if (step !== undefined) {
      const found = stepOutput(step as string, (path as string | undefined) ?? '', scope);
      return found === MISSING ? match : jsString(found);
    }
    const found = lookup((named ?? braced) as string, scope);
    return found === MISSING ? match : pythonString(found);
  });
}

/** True when a string holds a placeholder that {@link substitute} may replace (`$$` alone does not count). */
export function hasPlaceholder(text: string): boolean {
  for (const m of text.matchAll(PATTERN)) if (m[1] === undefined) return true;
  return false;
}

function walk(value: unknown, scope: SubstitutionScope): unknown {
  if (typeof value === 'string') return substituteString(value, scope);
  if (Array.isArray(value)) return value.map((v) => walk(v, scope));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, scope);
    return out;
  }
  return value;
}

function lookup(name: string, scope: SubstitutionScope): unknown {
  if (Object.hasOwn(scope.configuration, name)) return scope.configuration[name];
  for (const secrets of Object.values(scope.secrets)) {
    if (isPlainObject(secrets) && Object.hasOwn(secrets, name)) return secrets[name];
  }
  return MISSING;
}

function stepOutput(name: string, path: string, scope: SubstitutionScope): unknown {
  if (!scope.steps?.has(name)) return MISSING;
  let current: unknown = scope.steps.get(name);
  for (const [, key, index] of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    const k: string = key ?? index ?? '';
    if (Array.isArray(current) && /^\d+$/.test(k)) current = current[Number(k)] as unknown;
    else if (isPlainObject(current) && Object.hasOwn(current, k)) current = current[k];
    else return MISSING;
    if (current === undefined) return MISSING;
  }
  return current;
}

/** Python's `str()`, as `string.Template` applies it: `True`, `None`, `{'a': 1}`, `[1, 'x']`, `1e-05`. */
function pythonString(value: unknown): string {
  return pyStr(value);
}

function jsString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
