/**
 * Which format a YAML file is written in: a Chaos Toolkit experiment (the default), a PowerfulSeal policy
 * (`config`/`scenarios`, or a `kind: Scenario` of PowerfulSeal's CRD mode), or a LitmusChaos `ChaosEngine`
 * (with its `ChaosExperiment` documents in the same file, beside it, or in a hub folder). The foreign formats are
 * checked here, with every problem at `file:line:col` of the original file, and translated into the one
 * experiment model, so the runner, ledger and journal are shared.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { positionIndex, type PositionIndex } from '../positions.js';
import type { Experiment } from '../types.js';
import { isLitmus, str, translateLitmus, type LitmusDoc, type LitmusProblem } from './litmus.js';
import { isPowerfulSealPolicy, powerfulSealProblems, translatePowerfulSeal } from './powerfulseal.js';

/** The formats `turbulence run|validate FILE` reads. */
export type Dialect = 'chaostoolkit' | 'powerfulseal' | 'litmus';

/** Human names of the formats, for "found a ... " lines. */
export const DIALECT_NAMES: Record<Dialect, string> = {
  chaostoolkit: 'Chaos Toolkit experiment',
  powerfulseal: 'PowerfulSeal policy',
  litmus: 'LitmusChaos ChaosEngine',
};

/** A foreign file translated into an experiment. */
export interface Translated {
  dialect: Exclude<Dialect, 'chaostoolkit'>;
  experiment: Experiment;
  positions: PositionIndex;
  /** Things worth saying that are not errors (defaults applied, tunables ignored). */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Translates `text` when it is a PowerfulSeal policy or a Litmus ChaosEngine; `undefined` for anything else
 * (Chaos Toolkit experiments, and files that do not parse: the Chaos Toolkit loader reports those).
 * Throws an `EXPERIMENT_INVALID` error, with every problem as a detail, when the file is of a foreign format
 * but invalid.
 */
export function translateForeign(text: string, source: string, opts: { hub?: string } = {}): Translated | undefined {
  const lineCounter = new LineCounter();
  let parsed: { values: unknown[]; index: PositionIndex[] };
  try {
    const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
    if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length > 0)) return undefined;
    parsed = {
      values: docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown),
      index: docs.map((d) => positionIndex(d, lineCounter)),
    };
  } catch {
    // Alias bombs, nesting too deep: the Chaos Toolkit loader reports these with its own checks.
    return undefined;
  }
  const { values, index } = parsed;
  const locate = (doc: number, path: (string | number)[]) => index[doc]?.locate(path);

  // PowerfulSeal: a whole policy, or CRD mode's `kind: Scenario` whose spec is one scenario.
  const scenarioDoc = values.findIndex(
    (v) => isObj(v) && v.kind === 'Scenario' && str(v.apiVersion ?? '').startsWith('powerfulseal.io/'),
  );
  if ((values.length === 1 && isPowerfulSealPolicy(values[0])) || scenarioDoc >= 0) {
    const crd = scenarioDoc >= 0;
    const policy = crd ? { scenarios: [(values[scenarioDoc] as Obj).spec] } : (values[0] as Obj);
    const doc = crd ? scenarioDoc : 0;
    const original = (path: (string | number)[]) => (crd ? ['spec', ...path.slice(2)] : path);
    const problems = powerfulSealProblems(policy);
    if (problems.length > 0) {
      throw invalid(
        'PowerfulSeal policy',
        source,
        problems.map((p) => ({ ...p, at: locate(doc, original(p.path)), path: original(p.path) })),
      );
    }
    const { experiment, sources, notes } = translatePowerfulSeal(policy, source);
    const positions: PositionIndex = {
      locate: (path) => {
        const from = path[0] === 'method' && typeof path[1] === 'number' ? sources.get(path[1]) : undefined;
        return locate(doc, original(from ?? []));
      },
    };
    return { dialect: 'powerfulseal', experiment, positions, notes };
  }

  const objs = values.filter(isObj);
  if (objs.length === values.length && (isLitmus(objs) || objs.some(isLitmusWorkflow))) {
    const litmusDocs: LitmusDoc[] = objs.map((value, i) => ({ value, index: i }));
    const extra = findDefinitions(objs, source, opts.hub);
    const { experiment, problems, notes } = translateLitmus(litmusDocs, source, extra);
    if (problems.length > 0 || !experiment) {
      throw invalid(
        'LitmusChaos ChaosEngine',
        source,
        problems.map((p: LitmusProblem) => ({ ...p, at: p.file ? undefined : locate(p.doc, p.path) })),
      );
    }
    const engine = objs.findIndex((o) => o.kind === 'ChaosEngine');
    const positions: PositionIndex = { locate: () => locate(engine, ['spec', 'experiments']) };
    return { dialect: 'litmus', experiment, positions, notes };
  }
  return undefined;
}

function isLitmusWorkflow(v: Obj): boolean {
  return (v.kind === 'Workflow' || v.kind === 'CronWorkflow') && JSON.stringify(v).includes('litmuschaos.io');
}

/** ChaosExperiments the engine names that the file lacks: from the files beside it, then from the hub. */
function findDefinitions(docs: Obj[], source: string, hub: string | undefined): { value: Obj; file: string }[] {
  const engine = docs.find((d) => d.kind === 'ChaosEngine');
  if (!engine) return [];
  const have = new Set(docs.filter((d) => d.kind === 'ChaosExperiment').map((d) => str((d.metadata as Obj)?.name)));
  const names = ((((engine.spec ?? {}) as Obj).experiments ?? []) as Obj[])
    .map((e) => str(e?.name ?? ''))
    .filter((n) => n && !have.has(n));
  if (names.length === 0) return [];
  const candidates: string[] = [];
  if (source.startsWith('/')) {
    const dir = dirname(source);
    for (const f of safeList(dir).slice(0, 100))
      if (/\.ya?ml$/.test(f) && join(dir, f) !== source) candidates.push(join(dir, f));
  }
  if (hub) {
    for (const n of names) {
      for (const rel of [`${n}/fault.yaml`, `${n}/experiment.yaml`, `faults/kubernetes/${n}/fault.yaml`, `${n}.yaml`]) {
        candidates.push(join(hub, rel));
      }
    }
  }
  const out: { value: Obj; file: string }[] = [];
  for (const file of candidates) {
    try {
      if (!existsSync(file) || statSync(file).size > 1024 * 1024) continue;
      for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const v = (Array.isArray(d) ? undefined : d.toJS({ maxAliasCount: 100 })) as unknown;
        if (isObj(v) && v.kind === 'ChaosExperiment' && names.includes(str((v.metadata as Obj)?.name))) {
          out.push({ value: v, file });
        }
      }
    } catch {
      // Not YAML, or unreadable: not a definition.
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function invalid(
  what: string,
  source: string,
  problems: {
    path: (string | number)[];
    message: string;
    hint?: string;
    at?: { line: number; column: number } | undefined;
    file?: string;
  }[],
): TurbulenceError {
  const errors = problems.map(
    (p) =>
      new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `${what}: ${p.message}`, {
        location: { file: p.file ?? source, ...(p.at ?? {}), path: p.path },
        ...(p.hint ? { hint: p.hint } : {}),
      }),
  );
  const [first, ...rest] = errors as [TurbulenceError, ...TurbulenceError[]];
  return new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, first.message, {
    location: first.location,
    ...(first.hint ? { hint: first.hint } : {}),
    details: rest,
  });
}
