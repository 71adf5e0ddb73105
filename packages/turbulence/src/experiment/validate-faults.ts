/**
 * Fault specs checked at load time (issue 13 §2), from each kind's schema in the pure registry
 * (`faults/schemas.ts`; no driver is loaded):
 *
 *   { type: fault, kind, target, params, select, duration }
 *            │      │       │       │        └─ a duration (`30s`, `1m30s`, seconds)
 *            │      │       │       └─ all, one, count(N), percent(P), random-max-percent(P)
 *            │      │       └─ every name, type and range, by the kind's params schema
 *            │      └─ every field, by the kind's target schema; PID 1, pid ≤ 0 and this process refused
 *            └─ a registered kind ("did you mean `process.kill`?")
 *
 * A value holding a `${...}` placeholder is checked after substitution, at run time, not here.
 */
import type { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { parseSelectionMode } from '../core/selector.js';
import { didYouMean } from '../core/suggest.js';
import { kindSchema, kindSchemas } from '../faults/schemas.js';
import type { KindSchema } from '../faults/kind-schema.js';
import { issuesToProblems, lookup, type Problem } from './schema-issues.js';
import { objectKeys, unknownKeyMessage } from './strict.js';
import { hasPlaceholder } from './substitute.js';
import { activitiesOf } from './validate-rules.js';

type Path = (string | number)[];

/**
 * Problems in every `fault` provider of a document (method, rollbacks, hypothesis, reverts, ...).
 *
 * @example
 * faultProblems({ method: [{ type: 'action', name: 'a', provider: { type: 'fault', kind: 'process.kil' } }] });
 * // [{ path: ['method', 0, 'provider', 'kind'], message: 'unknown fault kind "process.kil"', hint: 'did you mean ...' }]
 */
export function faultProblems(doc: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  for (const { value, path } of activitiesOf(doc)) {
    const provider = value.provider;
    if (!isObject(provider) || provider.type !== 'fault') continue;
    out.push(...checkFault(provider, [...path, 'provider']));
  }
  return out;
}

/**
 * Problems in one fault spec (`provider` without `type` is fine too: the CLI's `fault inject` uses it).
 *
 * @example
 * checkFault({ kind: 'process.kill', params: { sginal: 9 } }, []);
 * // [{ path: ['params', 'sginal'], message: '"sginal" is not a parameter of process.kill; did you mean "signal"?' }]
 */
export function checkFault(spec: Record<string, unknown>, base: Path): Problem[] {
  const out: Problem[] = [];
  const { kind, duration, select } = spec;
  if (typeof duration === 'string' && !hasPlaceholder(duration)) {
    try {
      parseDuration(duration, 'fault duration');
    } catch {
      out.push({
        path: [...base, 'duration'],
        message: `${JSON.stringify(duration)} is not a duration`,
        hint: 'write seconds (30), or a duration like 30s, 1m30s, 250ms, 2h',
      });
    }
  }
  if (typeof select === 'string' && !hasPlaceholder(select)) {
    try {
      parseSelectionMode(select);
    } catch (err) {
      out.push({
        path: [...base, 'select'],
        message: errorMessage(err),
        hint: 'use all, one, count(N), percent(P) or random-max-percent(P)',
      });
    }
  }
  if (typeof kind !== 'string' || hasPlaceholder(kind)) return out;
  const schema = kindSchema(kind);
  if (!schema) {
    const kinds = kindSchemas.map((k) => k.kind);
    out.push({
      path: [...base, 'kind'],
      message: `unknown fault kind ${JSON.stringify(kind)}; ${didYouMean(kind, kinds)}`,
      hint: 'list the kinds with `turbulence fault kinds`',
    });
    return out;
  }
  out.push(...paramsProblems(schema, spec.params, [...base, 'params']));
  out.push(...targetProblems(schema, spec.target, [...base, 'target']));
  return out;
}

function paramsProblems(schema: KindSchema, params: unknown, path: Path): Problem[] {
  if (params !== undefined && !isObject(params)) return []; // the provider schema says "expected an object"
  return checkObject(schema.params, params ?? {}, path, `a parameter of ${schema.kind}`, {
    hint: `see \`turbulence fault kinds ${schema.kind}\``,
  });
}

function targetProblems(schema: KindSchema, target: unknown, path: Path): Problem[] {
  const example = `e.g. "target": ${JSON.stringify(schema.example.target)}`;
  if (target === undefined) {
    if (schema.targetOptional) return [];
    return [{ path: path.slice(0, -1), message: `${schema.kind} needs a "target"`, hint: example }];
  }
  if (!isObject(target)) return [];
  const guard = pidProblems(target, path);
  const problems = checkObject(schema.target, target, path, `a target field of ${schema.kind}`, {
    hint: `${example} (see \`turbulence fault kinds ${schema.kind}\`)`,
  }).filter((p) => guard.length === 0 || p.path[path.length] !== 'pid');
  return [...guard, ...problems];
}

/**
 * Targets that can only be a mistake, refused before anything runs: PID 1, pid ≤ 0 (a process group or every
 * process to `kill(2)`), and the process validating (which is the runner, in `turbulence run`).
 */
function pidProblems(target: Record<string, unknown>, path: Path): Problem[] {
  const raw = target.pid;
  if (raw === undefined || (typeof raw === 'string' && hasPlaceholder(raw))) return [];
  const pid = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (Number.isNaN(pid)) return [];
  const why =
    pid <= 0
      ? `pid ${pid}: kill(2) reads it as a process group or every process`
      : pid === 1
        ? 'pid 1: it is init, which turbulence never targets'
        : pid === process.pid
          ? `pid ${pid}: it is turbulence itself`
          : undefined;
  if (why === undefined) return [];
  return [
    {
      path: [...path, 'pid'],
      message: `refusing to target ${why}`,
      hint: 'name the process instead: { "name": ... }, { "cmdline": ... }, { "pidfile": ... } or { "managed": ... }',
    },
  ];
}

/** Unknown keys (with the nearest valid one) first; then the schema's own problems, placeholders skipped. */
function checkObject(
  schema: z.ZodType,
  value: Record<string, unknown>,
  path: Path,
  what: string,
  extra: { hint: string },
): Problem[] {
  const known = objectKeys(schema);
  if (known !== undefined) {
    const unknown = Object.keys(value).filter((k) => !known.includes(k));
    if (unknown.length > 0) {
      return unknown.map((k) => ({ path: [...path, k], message: unknownKeyMessage(k, known, what), ...extra }));
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  // A misspelt key is wrong whatever its value; a value with a placeholder is only known after substitution.
  const misspelt = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
  const others = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  return [
    ...issuesToProblems(misspelt, value),
    ...issuesToProblems(others, value).filter(
      (p) => p.path.length === 0 || !holdsPlaceholder(lookup(value, p.path).value),
    ),
  ].map((p) => ({ ...p, path: [...path, ...p.path], hint: p.hint ?? extra.hint }));
}

function holdsPlaceholder(value: unknown): boolean {
  if (typeof value === 'string') return hasPlaceholder(value);
  if (Array.isArray(value)) return value.some(holdsPlaceholder);
  if (isObject(value)) return Object.values(value).some(holdsPlaceholder);
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
