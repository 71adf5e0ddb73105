/**
 * @module Rule validation, by hand (the package has no dependencies): every problem names the rule and the field.
 *
 *   { "name": "disk-eio", "target": "fs.promises.readFile", "when": { "path": "/data/**" }, "action": "50%error(EIO)" }
 */
import { readFileSync } from 'node:fs';
import { FailpointConfigError } from '../errors.js';
import { parseActions } from '../grammar.js';
import { unsupported } from './styles.js';
import { coreTargets } from './targets/index.js';
import type { Rule, Style, When } from './types.js';

const WHEN_KEYS: Record<keyof When, 'string' | 'number'> = {
  path: 'string',
  host: 'string',
  port: 'number',
  method: 'string',
  url: 'string',
  command: 'string',
};

/** `app:src/store.js#commit` → `{ module: 'src/store.js', name: 'commit' }`. */
export function parseAppTarget(target: string): { module: string; name: string } | undefined {
  const m = /^app:(?:\.\/)?([^#]+)#([\w$]+)$/.exec(target);
  return m ? { module: m[1] as string, name: m[2] as string } : undefined;
}

function styleOf(target: string, where: string): Style {
  const def = coreTargets.get(target);
  if (def) return def.style;
  if (parseAppTarget(target)) return 'auto';
  throw new FailpointConfigError(
    `unknown target "${target}"; use a core function such as fs.promises.readFile, net.connect, dns.lookup, ` +
      'http.request, child_process.spawn, fetch, or app:<module path>#<export>',
    where,
  );
}

function parseWhen(raw: unknown, where: string): When | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FailpointConfigError('"when" must be an object', where);
  for (const [k, v] of Object.entries(raw)) {
    const kind = WHEN_KEYS[k as keyof When];
    if (!kind)
      throw new FailpointConfigError(`"when.${k}" is unknown (known: ${Object.keys(WHEN_KEYS).join(', ')})`, where);
    if (typeof v !== kind) throw new FailpointConfigError(`"when.${k}" must be a ${kind}`, where);
  }
  return raw;
}

/**
 * Validates one rule; `name` wins over a name inside the object.
 *
 * @example
 * parseRule({ target: 'dns.lookup', when: { host: '*.internal' }, action: 'error(ENOTFOUND)' }, 'no-internal-dns');
 */
export function parseRule(raw: unknown, name?: string): Rule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new FailpointConfigError('a rule must be an object', name);
  const r = raw as Record<string, unknown>;
  const ruleName = name ?? r.name;
  if (typeof ruleName !== 'string' || ruleName === '') throw new FailpointConfigError('a rule needs a "name"');
  const where = `rule ${ruleName}`;
  if (typeof r.target !== 'string') throw new FailpointConfigError('"target" must be a string', where);
  if (typeof r.action !== 'string')
    throw new FailpointConfigError('"action" must be a string such as "error(EIO)"', where);
  const style = styleOf(r.target, where);
  const actions = parseActions(r.action);
  for (const a of actions) {
    const problem = unsupported(style, a.task);
    if (problem) throw new FailpointConfigError(`${r.target}: ${problem}`, where);
  }
  return { name: ruleName, target: r.target, when: parseWhen(r.when, where), action: r.action, actions };
}

/**
 * Reads a rules file: `{ "rules": [...] }` or a bare array of rules, each with a name.
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
  return list.map((r, i) => {
    try {
      return parseRule(r);
    } catch (err) {
      throw new FailpointConfigError(`rules[${i}]: ${(err as Error).message}`, file);
    }
  });
}
