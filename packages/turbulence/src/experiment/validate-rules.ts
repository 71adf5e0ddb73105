/**
 * The validation rules a schema cannot say (Chaos Toolkit §20): `ref`s resolve (against the method, then the
 * hypothesis probes), a hypothesis `ref` points at a probe with a tolerance, control refs and providers, and
 * regex tolerance patterns compile. They read the raw document defensively: shapes are the schema's job.
 */
import type { Problem } from './schema-issues.js';
import { hasPlaceholder } from './substitute.js';
import { pythonRegex } from './tolerance/regex.js';

type Doc = Record<string, unknown>;
type Path = (string | number)[];

/** An activity object and where it sits. */
export interface Located {
  value: Record<string, unknown>;
  path: Path;
}

const LISTS: readonly Path[] = [
  ['method'],
  ['rollbacks'],
  ['steady-state-hypothesis', 'probes'],
  ['abort-conditions', 'probes'],
];

/**
 * Every activity of a document (not `ref` entries): method, rollbacks, hypothesis and abort-condition probes,
 * `revert` actions, probe tolerances and dynamic configuration probes.
 */
export function activitiesOf(doc: Doc): Located[] {
  const out: Located[] = [];
  const visit = (value: unknown, path: Path) => {
    if (!isObject(value) || typeof value.ref === 'string') return;
    out.push({ value, path });
    if (isObject(value.revert)) visit(value.revert, [...path, 'revert']);
    if (isObject(value.tolerance) && value.tolerance.type === 'probe') visit(value.tolerance, [...path, 'tolerance']);
  };
  for (const list of LISTS) entries(at(doc, list)).forEach((v, i) => visit(v, [...list, i]));
  const configuration = doc.configuration;
  if (isObject(configuration)) {
    for (const [key, value] of Object.entries(configuration)) {
      if (isObject(value) && value.type === 'probe') visit(value, ['configuration', key]);
    }
  }
  return out;
}

/** Problems in refs, controls and regex patterns. */
export function semanticProblems(doc: Doc): Problem[] {
  return [
    ...refProblems(doc),
    ...controlProblems(doc),
    ...regexProblems(doc),
    ...untilProblems(doc),
    ...modeProblems(doc),
  ];
}

/** Ours: probe modes schedule a method probe around what follows it; anywhere else they would be ignored. */
function modeProblems(doc: Doc): Problem[] {
  return activitiesOf(doc)
    .filter(({ value, path }) => value.mode !== undefined && (path[0] !== 'method' || value.type !== 'probe'))
    .map(({ path }) => ({
      path: [...path, 'mode'],
      message: '"mode" (SOT, EOT, Edge, Continuous, OnChaos) applies to probes of the method only',
      hint: 'move the probe into the method, or remove "mode"',
    }));
}

/** Ours: `until` repeats a probe until its tolerance holds, so it needs one. */
function untilProblems(doc: Doc): Problem[] {
  return activitiesOf(doc)
    .filter(({ value }) => value.until !== undefined && value.tolerance === undefined)
    .map(({ path }) => ({
      path: [...path, 'until'],
      message: '"until" repeats the probe until its tolerance holds: the activity needs a "tolerance"',
      hint: 'add a tolerance, e.g. "tolerance": 200',
    }));
}

function refProblems(doc: Doc): Problem[] {
  // Chaos Toolkit's cache: method, then hypothesis probes; a later definition of a name wins.
  const cache = new Map<string, Record<string, unknown>>();
  for (const list of [['method'], ['steady-state-hypothesis', 'probes']]) {
    for (const a of entries(at(doc, list))) {
      if (isObject(a) && typeof a.ref !== 'string' && typeof a.name === 'string') cache.set(a.name, a);
    }
  }
  const out: Problem[] = [];
  for (const list of LISTS) {
    const needsTolerance = list[0] !== 'method' && list[0] !== 'rollbacks';
    entries(at(doc, list)).forEach((a, i) => {
      if (!isObject(a) || typeof a.ref !== 'string') return;
      const target = cache.get(a.ref);
      const path = [...list, i];
      if (!target) {
        out.push({
          path: [...path, 'ref'],
          message: `no activity named ${JSON.stringify(a.ref)} in the method or the steady-state hypothesis`,
          hint: 'a ref names an activity ("name") declared in the method or as a hypothesis probe',
        });
      } else if (needsTolerance && target.tolerance === undefined) {
        out.push({
          path,
          message: `a hypothesis probe needs a "tolerance" (the referenced activity ${JSON.stringify(a.ref)} has none)`,
        });
      }
    });
  }
  return out;
}

function controlProblems(doc: Doc): Problem[] {
  const declared = new Set(
    entries(doc.controls)
      .filter((c) => isObject(c) && c.ref === undefined && typeof c.name === 'string')
      .map((c) => (c as { name: string }).name),
  );
  const lists: { list: unknown; path: Path }[] = [
    { list: doc.controls, path: ['controls'] },
    { list: at(doc, ['steady-state-hypothesis', 'controls']), path: ['steady-state-hypothesis', 'controls'] },
    ...activitiesOf(doc).map(({ value, path }) => ({ list: value.controls, path: [...path, 'controls'] })),
  ];
  const out: Problem[] = [];
  for (const { list, path } of lists) {
    entries(list).forEach((c, i) => {
      if (!isObject(c)) return;
      if (typeof c.ref === 'string') {
        if (!declared.has(c.ref)) {
          out.push({
            path: [...path, i, 'ref'],
            message: `control reference ${JSON.stringify(c.ref)} declaration cannot be found`,
            hint: 'a control ref names a control declared in the top-level "controls"',
          });
        }
      } else if (c.provider === undefined) {
        out.push({ path: [...path, i], message: `control ${JSON.stringify(c.name ?? i)} must have a "provider"` });
      }
    });
  }
  return out;
}

function regexProblems(doc: Doc): Problem[] {
  const out: Problem[] = [];
  for (const { value, path } of activitiesOf(doc)) {
    const t = value.tolerance;
    if (!isObject(t) || t.type !== 'regex' || typeof t.pattern !== 'string' || hasPlaceholder(t.pattern)) continue;
    try {
      pythonRegex(t.pattern);
    } catch (err) {
      out.push({
        path: [...path, 'tolerance', 'pattern'],
        message: `the pattern does not compile: ${(err as Error).message}`,
        hint: 'patterns are JavaScript regular expressions (Python (?P<name>), \\A and \\Z are translated)',
      });
    }
  }
  return out;
}

function at(doc: Doc, path: Path): unknown {
  let current: unknown = doc;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function entries(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
