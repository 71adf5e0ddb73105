/**
 * Label and field selectors, as the API server parses them from `?labelSelector=` / `?fieldSelector=`, and the
 * structured `LabelSelector` of workload specs and PodDisruptionBudgets. Pure functions.
 */
import { badRequest } from './errors.js';

type Labels = Record<string, string> | undefined;

/** One parsed requirement of a label selector. */
export interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checked(key: string, values: string[], whole: string): void {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  for (const v of values)
    if (!VALUE.test(v)) throw badRequest(`unable to parse requirement: invalid label value "${v}"`);
}

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`; throws a 400 KubeError on bad syntax. */
export function parseLabelSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  for (const part of splitTop(text)) {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim());
      checked(m[1]!, values, part);
      out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      checked(m[1]!, [m[3]!], part);
      out.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
      continue;
    }
    m = /^(!?)\s*([^=!\s()]+)$/.exec(part);
    if (m) {
      checked(m[2]!, [], part);
      out.push({ key: m[2]!, op: m[1] ? '!exists' : 'exists', values: [] });
      continue;
    }
    throw badRequest(`unable to parse requirement: "${part}" is not a valid label selector requirement`);
  }
  return out;
}

/** True when `labels` satisfy every requirement (`!=` and `notin` match a missing label, as in Kubernetes). */
export function matchesRequirements(reqs: Requirement[], labels: Labels): boolean {
  for (const r of reqs) {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case '!exists':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

/** A structured `LabelSelector` (`matchLabels` + `matchExpressions`). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Requirements of a structured selector. */
export function requirementsOf(sel: LabelSelector): Requirement[] {
  const out: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'in', values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' }[e.operator];
    if (!op) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    out.push({ key: e.key, op: op as Requirement['op'], values: e.values ?? [] });
  }
  return out;
}

/** Does a structured selector match? An empty selector matches everything; a missing one (null) nothing. */
export function matchesSelector(sel: LabelSelector | null | undefined, labels: Labels): boolean {
  if (!sel) return false;
  return matchesRequirements(requirementsOf(sel), labels);
}

/** The string form of a structured selector (`app=web,tier in (a,b)`), as `Scale.status.selector` shows it. */
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  return requirementsOf(sel)
    .map((r) => {
      if (r.op === 'exists') return r.key;
      if (r.op === '!exists') return `!${r.key}`;
      if (r.values.length === 1) return `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}`;
      return `${r.key} ${r.op} (${r.values.join(',')})`;
    })
    .join(',');
}

/** One `field=value` / `field!=value` term. */
export interface FieldTerm {
  field: string;
  /** `field` split on dots, once. */
  path: string[];
  value: string;
  negate: boolean;
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Fields each resource supports in field selectors (beyond metadata.name/namespace). */
export const FIELDS: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'status.phase',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/nodes': ['spec.unschedulable'],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/namespaces': ['status.phase'],
};

/** Parses a field selector for the resource with storage key `key`; unsupported fields are a 400. */
export function parseFieldSelector(text: string, key: string): FieldTerm[] {
  const out: FieldTerm[] = [];
  for (const part of splitTop(text)) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1]!.trim();
    if (!COMMON_FIELDS.includes(field) && !(FIELDS[key] ?? []).includes(field))
      throw badRequest(`field label not supported: ${field}`);
    out.push({ field, path: field.split('.'), value: m[3]!.trim(), negate: m[2] === '!=' });
  }
  return out;
}

/** The string value of a dotted field path (`spec.nodeName`), '' when missing, as field selectors compare. */
export function fieldValue(obj: unknown, path: string | string[]): string {
  let cur: unknown = obj;
  const parts = typeof path === 'string' ? path.split('.') : path;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return parts.join('.') === 'spec.unschedulable' ? 'false' : '';
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

/** True when `obj` satisfies every field term. */
export function matchesFields(terms: FieldTerm[], obj: unknown): boolean {
  for (const t of terms) if ((fieldValue(obj, t.path) === t.value) === t.negate) return false;
  return true;
}
