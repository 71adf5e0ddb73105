/**
 * @module Ours: the `litmus-probe` provider's schema and its pure parts (pure: no I/O). A LitmusChaos probe's
 * inputs as the ChaosEngine writes them (`httpProbe/inputs` & co.), checked field by field by
 * {@link checkLitmusProbe} (the Litmus translator reports its problems at the file's line:column), and Litmus's
 * comparators ({@link compare}).
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';

/** The Litmus probe types turbulence runs. */
export const LITMUS_PROBE_TYPES = ['httpProbe', 'cmdProbe', 'k8sProbe', 'promProbe'] as const;
export type LitmusProbeType = (typeof LITMUS_PROBE_TYPES)[number];

const probeObject = strictObject(
  {
    type: z.literal('litmus-probe'),
    /** The Litmus probe type. */
    probe: z.enum(LITMUS_PROBE_TYPES, { error: `probe must be one of: ${LITMUS_PROBE_TYPES.join(', ')}` }),
    /** The probe's `<type>/inputs`, as Litmus writes them. */
    inputs: z.record(z.string(), z.unknown()),
    /** k8sProbe `create`: the manifest (the probe's `data`). */
    data: z.string().optional(),
  },
  'the litmus-probe provider',
);

/** `{type: "litmus-probe", probe, inputs, data?}`. */
export type LitmusProbeProvider = z.output<typeof probeObject>;

/** Schema of the `litmus-probe` provider (the envelope; {@link checkLitmusProbe} checks the inputs). */
export const litmusProbeSchema: z.ZodType<LitmusProbeProvider> = probeObject;

/** A problem in a probe's inputs: path below the inputs, message, fix. */
export interface LitmusProbeProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

type Obj = Record<string, unknown>;
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

const INT_CRITERIA = ['>=', '<=', '==', '!=', '>', '<', 'oneOf', 'between'];
const STRING_CRITERIA = ['equal', 'equals', '==', 'notEqual', '!=', 'contains', 'matches', 'notMatches', 'oneOf'];
const HTTP_CRITERIA = ['==', '!=', 'oneOf'];

/** `<url>`, `<response code>`: placeholders of the Litmus docs' samples, which are not values. */
const PLACEHOLDER = /<[a-zA-Z][a-zA-Z0-9 _-]*>/;

function need(
  inputs: Obj,
  key: string,
  problems: LitmusProbeProblem[],
  example: string,
  at: (string | number)[] = [],
): string | undefined {
  const v = text(inputs[key]);
  if (v === undefined || v === '') {
    problems.push({ path: [...at, key], message: `${key} is required`, hint: `e.g. ${key}: ${example}` });
    return undefined;
  }
  if (PLACEHOLDER.test(v)) {
    problems.push({
      path: [...at, key],
      message: `${key} "${v}" is a placeholder from the Litmus docs, not a value`,
      hint: `put the real value, e.g. ${key}: ${example}`,
    });
    return undefined;
  }
  return v;
}

function checkComparator(
  c: unknown,
  at: (string | number)[],
  problems: LitmusProbeProblem[],
  defaultType: 'string' | 'int' | 'float',
): void {
  if (!c || typeof c !== 'object') {
    problems.push({
      path: at,
      message: 'comparator is required',
      hint: "e.g. comparator: { type: int, criteria: '>=', value: '1' }",
    });
    return;
  }
  const cmp = c as Obj;
  const type = text(cmp.type) ?? defaultType;
  if (!['string', 'int', 'float'].includes(type)) {
    problems.push({ path: [...at, 'type'], message: `comparator type "${type}" is not string, int or float` });
    return;
  }
  const criteria = text(cmp.criteria) ?? '';
  const allowed = type === 'string' ? STRING_CRITERIA : INT_CRITERIA;
  if (!allowed.includes(criteria)) {
    problems.push({
      path: [...at, 'criteria'],
      message: `criteria "${criteria}" is not one of ${type}'s: ${allowed.join(', ')}`,
      hint: type === 'string' ? 'e.g. criteria: contains' : "e.g. criteria: '>='",
    });
  }
  need(cmp, 'value', problems, type === 'string' ? 'ok' : "'1'", at);
  const v = text(cmp.value);
  if (v !== undefined && type !== 'string' && !PLACEHOLDER.test(v)) {
    const nums = criteria === 'oneOf' || criteria === 'between' ? listOf(v) : [v];
    if (nums.some((n) => !Number.isFinite(Number(n)) || n.trim() === '')) {
      problems.push({ path: [...at, 'value'], message: `value "${v}" is not a number (comparator type ${type})` });
    }
  }
}

/** `[1,2]`, `1,2`, `["a", "b"]` → the items as strings. */
export function listOf(v: string): string[] {
  return v
    .trim()
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter((s) => s !== '');
}

/**
 * Checks a probe's inputs before anything runs: what the provider needs, Litmus's criteria, and the placeholders
 * of the docs' samples.
 */
export function checkLitmusProbe(type: LitmusProbeType, inputs: Obj, data?: string): LitmusProbeProblem[] {
  const problems: LitmusProbeProblem[] = [];
  if (type === 'httpProbe') {
    need(inputs, 'url', problems, 'http://web.default.svc:8080/health');
    const method = (inputs.method ?? {}) as Obj;
    const verb = Object.keys(method);
    if (verb.length !== 1 || !['get', 'post'].includes(verb[0] as string)) {
      problems.push({
        path: ['method'],
        message: 'method must have exactly one of get, post',
        hint: "e.g. method: { get: { criteria: '==', responseCode: '200' } }",
      });
      return problems;
    }
    const m = (method[verb[0] as string] ?? {}) as Obj;
    const criteria = text(m.criteria) ?? '';
    if (!HTTP_CRITERIA.includes(criteria)) {
      problems.push({
        path: ['method', verb[0] as string, 'criteria'],
        message: `criteria "${criteria}" is not one of ${HTTP_CRITERIA.join(', ')}`,
        hint: "e.g. criteria: '=='",
      });
    }
    const code = need(m, 'responseCode', problems, "'200'", ['method', verb[0] as string]);
    if (code !== undefined && listOf(code).some((c) => !/^\d{3}$/.test(c))) {
      problems.push({
        path: ['method', verb[0] as string, 'responseCode'],
        message: `responseCode "${code}" is not an HTTP status`,
      });
    }
    if (verb[0] === 'post' && m.bodyPath !== undefined) {
      problems.push({
        path: ['method', 'post', 'bodyPath'],
        message: 'not supported: bodyPath (a file in the Litmus runner pod)',
        hint: 'give the body inline: body: ...',
      });
    }
  } else if (type === 'cmdProbe') {
    const command = need(inputs, 'command', problems, "'curl -s http://web/health'");
    if (command !== undefined && /\{\{.*\}\}/.test(command)) {
      problems.push({
        path: ['command'],
        message: 'not supported: probe chaining ({{ .probe.ProbeArtifacts.Register }} templates)',
        hint: 'write the value the earlier probe would give, or compute it inside the command',
      });
    }
    const source = inputs.source;
    if (
      source !== undefined &&
      source !== 'inline' &&
      !(typeof source === 'object' && source !== null && Object.keys(source).length === 0)
    ) {
      problems.push({
        path: ['source'],
        message:
          'not supported: a cmdProbe source pod (image, hostNetwork...): turbulence runs the command on the machine of the run',
        hint: "use source: 'inline' (or leave it out), with the tools installed where turbulence runs",
      });
    }
    checkComparator(inputs.comparator, ['comparator'], problems, 'string');
  } else if (type === 'k8sProbe') {
    need(inputs, 'version', problems, 'v1');
    need(inputs, 'resource', problems, 'pods');
    const op = text(inputs.operation) ?? '';
    if (!['present', 'absent', 'create', 'delete'].includes(op)) {
      problems.push({ path: ['operation'], message: `operation "${op}" is not present, absent, create or delete` });
    }
    if (op === 'create' && !data) {
      problems.push({
        path: ['operation'],
        message: "operation create needs the manifest in the probe's data",
        hint: 'data: | ...',
      });
    }
  } else {
    need(inputs, 'endpoint', problems, 'http://prometheus:9090');
    if (inputs.queryPath !== undefined) {
      problems.push({
        path: ['queryPath'],
        message: 'not supported: queryPath (a file in the Litmus runner pod)',
        hint: 'give the query inline: query: ...',
      });
    } else need(inputs, 'query', problems, "'sum(up)'");
    checkComparator(inputs.comparator, ['comparator'], problems, 'float');
  }
  return problems;
}

/**
 * Litmus's comparator: `actual` against `expected` by `criteria`, as `type` (string, int, float). Returns why it
 * does not hold, or undefined when it holds.
 *
 * @example
 * compare('int', '>=', '3', '2'); // undefined
 * compare('string', 'contains', 'ok', 'status: down'); // '"status: down" does not contain "ok"'
 */
export function compare(type: string, criteria: string, expected: string, actual: string): string | undefined {
  if (type === 'string') {
    const ok = (() => {
      switch (criteria) {
        case 'equal':
        case 'equals':
        case '==':
          return actual === expected;
        case 'notEqual':
        case '!=':
          return actual !== expected;
        case 'contains':
          return actual.includes(expected);
        case 'matches':
          return new RegExp(expected).test(actual);
        case 'notMatches':
          return !new RegExp(expected).test(actual);
        case 'oneOf':
          return listOf(expected).includes(actual);
        default:
          return false;
      }
    })();
    return ok ? undefined : `"${actual}" does not satisfy ${criteria} "${expected}"`;
  }
  const a = Number(actual.trim());
  if (actual.trim() === '' || !Number.isFinite(a)) return `"${actual}" is not a number`;
  const n = type === 'int' ? Math.trunc(a) : a;
  const list = listOf(expected).map(Number);
  const e = Number(expected);
  const ok = (() => {
    switch (criteria) {
      case '>=':
        return n >= e;
      case '<=':
        return n <= e;
      case '==':
        return n === e;
      case '!=':
        return n !== e;
      case '>':
        return n > e;
      case '<':
        return n < e;
      case 'oneOf':
        return list.includes(n);
      case 'between':
        return list.length === 2 && n >= (list[0] as number) && n <= (list[1] as number);
      default:
        return false;
    }
  })();
  return ok ? undefined : `${n} does not satisfy ${criteria} ${expected}`;
}
