/**
 * PowerfulSeal 3.x policies (`config` + `scenarios`), checked with the semantics of PowerfulSeal's own schema
 * (`schema/powerfulseal/ps-schema.yaml`, shipped verbatim) and translated into a turbulence experiment: one
 * `powerfulseal` activity per run of the run strategy, which runs the scenario's steps with the run's seeded RNG
 * and injects every kill as a `pod.delete` fault (ledger, recover, blast radius). See docs/powerfulseal.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { RE2JS } from 're2js';
import { parse } from 'yaml';
import { errorMessage } from '../../core/errors.js';
import type { Action, Experiment } from '../types.js';
import { checkSchema, type SchemaNode, type SchemaProblem } from './json-schema.js';

let schemaCache: SchemaNode | undefined;

/** PowerfulSeal's policy schema (parsed once). */
export function powerfulSealSchema(): SchemaNode {
  schemaCache ??= parse(
    readFileSync(new URL('../../../schema/powerfulseal/ps-schema.yaml', import.meta.url), 'utf8'),
  ) as SchemaNode;
  return schemaCache;
}

/** Steps and actions turbulence cannot run, with why (refused at validate time, never at run time). */
const UNSUPPORTED: Record<string, string> = {
  clone:
    'clone (copy a deployment and mutate the copy) is not supported: use a turbulence network fault on a canary ' +
    'instead',
  alertManagerAction: 'alertManagerAction (silence alerts) is not supported: silence them in Alertmanager first',
  stopHost: 'stopHost needs a cloud driver to stop the VM under a pod; turbulence has none',
  start: 'node start needs a cloud driver (OpenStack, AWS, Azure, GCP); turbulence has none',
  stop: 'node stop needs a cloud driver (OpenStack, AWS, Azure, GCP); turbulence has none: use node.drain instead',
  execute: 'node execute runs a command over SSH; turbulence does not SSH into nodes',
};

/** True when a parsed document looks like a PowerfulSeal policy (3.x, or the 2.x layout it must refuse). */
export function isPowerfulSealPolicy(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if ('scenarios' in o) return !('method' in o);
  if ('podScenarios' in o || 'nodeScenarios' in o) return true;
  const config = o.config as Record<string, unknown> | undefined;
  return config !== null && typeof config === 'object' && ('runStrategy' in config || 'exitStrategy' in config);
}

/**
 * Every problem with a policy: the schema's, then what turbulence refuses (unsupported steps and actions).
 *
 * @example
 * powerfulSealProblems(parse(text)); // [{ path: ['scenarios', 0, 'steps', 5, 'podAction', 'retriesTimeout'], ... }]
 */
export function powerfulSealProblems(policy: unknown): SchemaProblem[] {
  const o = policy as Record<string, unknown>;
  if ('podScenarios' in o || 'nodeScenarios' in o) {
    const key = 'podScenarios' in o ? 'podScenarios' : 'nodeScenarios';
    return [
      {
        path: [key],
        message: `"${key}" is the PowerfulSeal 2.x policy format, which PowerfulSeal 3 (and turbulence) refuse`,
        hint: 'rewrite it as scenarios[].steps[].podAction / nodeAction (see docs/powerfulseal.md, "From 2.x")',
      },
      ...checkSchema(powerfulSealSchema(), policy).filter((p) => p.path[0] !== key),
    ];
  }
  const problems = checkSchema(powerfulSealSchema(), policy);
  if (problems.length > 0) return problems;
  const out: SchemaProblem[] = [];
  const scenarios = (o.scenarios ?? []) as { steps?: Record<string, unknown>[] }[];
  scenarios.forEach((sc, i) => {
    (sc.steps ?? []).forEach((step, j) => {
      const at = ['scenarios', i, 'steps', j];
      for (const key of Object.keys(step)) {
        if (UNSUPPORTED[key])
          out.push({ path: [...at, key], message: `not supported: ${key}`, hint: UNSUPPORTED[key] });
      }
      for (const kind of ['podAction', 'nodeAction'] as const) {
        const body = step[kind] as
          { filters?: Record<string, unknown>[]; matches?: Record<string, unknown>[] } | undefined;
        (body?.filters ?? []).forEach((f, k) => {
          const value = (f.property as { value?: unknown } | undefined)?.value;
          if (typeof value === 'string') checkRegex(value, [...at, kind, 'filters', k, 'property', 'value'], out);
        });
        (body?.matches ?? []).forEach((m, k) => {
          // "*" is every namespace, as in PowerfulSeal; anything else with regex characters is a regex.
          if (typeof m.namespace === 'string' && m.namespace !== '*')
            checkRegex(m.namespace, [...at, kind, 'matches', k, 'namespace'], out);
        });
        const actions = (step[kind] as { actions?: Record<string, unknown>[] } | undefined)?.actions ?? [];
        actions.forEach((a, k) => {
          for (const key of Object.keys(a)) {
            if (UNSUPPORTED[key]) {
              out.push({
                path: [...at, kind, 'actions', k, key],
                message: `not supported: ${kind} ${key}`,
                hint: UNSUPPORTED[key],
              });
            }
          }
        });
      }
    });
  });
  return out;
}

function checkRegex(value: string, path: (string | number)[], out: SchemaProblem[]): void {
  try {
    RE2JS.compile(value);
  } catch (err) {
    out.push({
      path,
      message: `"${value}" is not a regular expression turbulence can run (${errorMessage(err)})`,
      hint: 'RE2 syntax: no backreferences or lookaround',
    });
  }
}

/** A scenario as the `powerfulseal` provider runs it. */
export interface SealScenario {
  name: string;
  steps: Record<string, unknown>[];
}

/** Where each translated method entry came from, for errors against the policy file. */
export type SourcePaths = Map<number, (string | number)[]>;

/**
 * Translates a checked policy into an experiment. Runs: `config.runStrategy.runs` (PowerfulSeal's default is
 * forever; turbulence runs each scenario once then, and says so in `notes`).
 */
export function translatePowerfulSeal(
  policy: Record<string, unknown>,
  source: string,
): { experiment: Experiment; sources: SourcePaths; notes: string[] } {
  const config = (policy.config ?? {}) as {
    runStrategy?: { strategy?: string; runs?: number; minSecondsBetweenRuns?: number; maxSecondsBetweenRuns?: number };
    exitStrategy?: { strategy?: string };
  };
  const scenarios = (policy.scenarios ?? []) as SealScenario[];
  const rs = config.runStrategy ?? {};
  const strategy = rs.strategy === 'random' ? 'random' : 'round-robin';
  const notes: string[] = [];
  let runs = rs.runs;
  if (runs === undefined) {
    runs = scenarios.length;
    if (scenarios.length > 0) {
      notes.push(
        `config.runStrategy.runs is not set: PowerfulSeal runs forever; turbulence runs ${runs} time(s) ` +
          '(set runs, or use turbulence monkey for continuous chaos)',
      );
    }
  }
  const between = [rs.minSecondsBetweenRuns ?? 30, rs.maxSecondsBetweenRuns ?? 300] as const;
  const failFast = config.exitStrategy?.strategy === 'fail-fast';
  const method: Action[] = [];
  const sources: SourcePaths = new Map();
  for (let run = 0; run < runs && scenarios.length > 0; run++) {
    const index = run % scenarios.length;
    const sc = scenarios[index] as SealScenario;
    const random = strategy === 'random';
    method.push({
      type: 'action',
      name: random ? `run ${run + 1}: a random scenario` : `run ${run + 1}: ${sc.name}`,
      provider: {
        type: 'powerfulseal',
        ...(random ? { scenarios } : { scenarios: [sc] }),
        ...(run > 0 ? { betweenRuns: [...between] } : {}),
      },
      'on-fail': failFast ? 'fail' : 'continue',
    } as Action);
    sources.set(method.length - 1, random ? ['scenarios'] : ['scenarios', index]);
  }
  return {
    experiment: {
      title: `PowerfulSeal policy ${basename(source)}`,
      description:
        `Translated from the PowerfulSeal policy ${source} (${strategy}, ${runs} run(s), ` +
        `exit strategy ${failFast ? 'fail-fast' : 'report'}).`,
      tags: ['powerfulseal'],
      method,
    },
    sources,
    notes,
  };
}
