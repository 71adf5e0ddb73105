/**
 * Validation of a loaded experiment (Chaos Toolkit §20 plus our keys). Reports ALL problems, each as a
 * `TurbulenceError(EXPERIMENT_INVALID)` located at `file:line:col` with the key path in its message:
 *
 *   loaded ─▶ schema (zod) ─▶ refs, controls, regex patterns ─▶ configuration & secrets ─▶ provider hooks
 *                 │                      │                              │                        │
 *                 └──────────────────────┴────────── problems ──────────┴────────────────────────┘
 *
 * Python modules are NOT imported here (Chaos Toolkit does): a `python` provider is checked for its shape only.
 */
import { didYouMean } from '../core/suggest.js';
import { ErrorCodes, TurbulenceError, formatPath } from '../core/errors.js';
import { providerSchemaList } from '../providers/schemas.js';
import { flatten, resolveConfiguration } from './configuration.js';
import type { LoadedExperiment } from './load.js';
import { experimentSchema } from './schema.js';
import { issuesToProblems, type Problem } from './schema-issues.js';
import { faultProblems } from './validate-faults.js';
import { activitiesOf, semanticProblems, type Located } from './validate-rules.js';
import type { Env, Overrides } from './vars.js';
import type { Experiment } from './types.js';

export interface ValidateOptions {
  /** `--var` / `--var-file` values: applied BEFORE validating (unlike Chaos Toolkit; see docs). */
  overrides?: Overrides;
  /** Environment for env-typed configuration and secrets (default `process.env`). */
  env?: Env;
  /** Run each provider's own `validate()` check (an executable exists, a module resolves). Default true. */
  checkProviders?: boolean;
  /** Receives deprecation warnings (they do not make the experiment invalid). */
  onWarning?: (warning: TurbulenceError) => void;
}

const HINTS: Record<string, string> = {
  method: 'see "Activities" in docs/experiments.md',
  rollbacks: 'see "Activities" in docs/experiments.md',
  'steady-state-hypothesis': 'see "Steady-state hypothesis" in docs/experiments.md',
  configuration: 'see "Configuration" in docs/experiments.md',
  secrets: 'see "Secrets" in docs/experiments.md',
  controls: 'see "Controls" in docs/experiments.md',
  runtime: 'see "Runtime" in docs/experiments.md',
  'abort-conditions': 'see "Abort conditions" in docs/experiments.md',
  'blast-radius': 'see "Blast radius" in docs/experiments.md',
  tags: 'tags are a list of non-empty strings',
  extensions: 'each extension is an object with a non-empty "name"',
};

/**
 * Validates a loaded experiment and returns every problem (an empty list means valid).
 *
 * @example
 * const loaded = await loadExperiment('experiment.yaml');
 * for (const err of await validateExperiment(loaded)) console.error(err.format());
 */
export async function validateExperiment(
  loaded: LoadedExperiment,
  opts: ValidateOptions = {},
): Promise<TurbulenceError[]> {
  const doc = loaded.experiment as unknown;
  const parsed = experimentSchema.safeParse(refsOnly(doc));
  const schemaProblems = parsed.success ? [] : issuesToProblems(parsed.error.issues, doc);
  const broken = (path: (string | number)[]) => schemaProblems.some((p) => startsWith(p.path, path));
  const problems: Problem[] = [...schemaProblems];
  if (isObject(doc)) {
    problems.push(...semanticProblems(doc));
    problems.push(...faultProblems(doc));
    problems.push(...configurationProblems(loaded.experiment, opts).filter((p) => !broken(p.path.slice(0, 2))));
    if (opts.checkProviders !== false) problems.push(...(await providerProblems(loaded, broken)));
    for (const w of warnings(doc)) opts.onWarning?.(toError(loaded, w));
  }
  return sortByPosition(problems.map((p) => toError(loaded, p)));
}

/**
 * Validates and throws one EXPERIMENT_INVALID error whose `details` are every problem; returns the experiment.
 *
 * @example
 * const experiment = await assertValid(await loadExperiment('experiment.json'));
 */
export async function assertValid(loaded: LoadedExperiment, opts: ValidateOptions = {}): Promise<Experiment> {
  const errors = await validateExperiment(loaded, opts);
  if (errors.length === 0) return loaded.experiment;
  const n = errors.length;
  throw new TurbulenceError(
    ErrorCodes.EXPERIMENT_INVALID,
    `the experiment is invalid (${n} problem${n > 1 ? 's' : ''})`,
    {
      location: { file: loaded.source },
      hint: `run "turbulence validate ${loaded.source}" to list them with their positions`,
      details: errors,
    },
  );
}

/**
 * Chaos Toolkit validates nothing but the `ref` of an entry that has one (`{"type": "probe", "ref": "x"}` is
 * common): the schema sees such entries as `{ref}` only. Paths do not change, so positions still match.
 */
function refsOnly(doc: unknown): unknown {
  if (!isObject(doc)) return doc;
  const strip = (list: unknown): unknown =>
    Array.isArray(list)
      ? (list as unknown[]).map((a) => (isObject(a) && a.ref !== undefined ? { ref: a.ref } : a))
      : list;
  const out: Record<string, unknown> = { ...doc, method: strip(doc.method), rollbacks: strip(doc.rollbacks) };
  if (doc.method === undefined) delete out.method;
  if (doc.rollbacks === undefined) delete out.rollbacks;
  for (const key of ['steady-state-hypothesis', 'abort-conditions']) {
    const block = doc[key];
    if (isObject(block) && Array.isArray(block.probes)) out[key] = { ...block, probes: strip(block.probes) };
  }
  return out;
}

function configurationProblems(experiment: Experiment, opts: ValidateOptions): Problem[] {
  try {
    resolveConfiguration(experiment, opts.overrides, opts.env ?? process.env);
    return undefinedPlaceholders(experiment, opts);
  } catch (err) {
    return flatten(err).map((e) => ({
      path: [...(e.location?.path ?? ['configuration'])],
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
    }));
  }
}

async function providerProblems(
  loaded: LoadedExperiment,
  broken: (path: (string | number)[]) => boolean,
): Promise<Problem[]> {
  const out: Problem[] = [];
  // Only the provider types with checks load the implementations (and with them node:child_process).
  const checked = activitiesOf(loaded.experiment).filter(({ value }) =>
    providerSchemaList.some((p) => p.checks && isObject(value.provider) && p.type === value.provider.type),
  );
  if (checked.length === 0) return out;
  const { providers } = await import('../providers/index.js');
  for (const { value, path } of checked) {
    const provider = value.provider;
    const providerPath = [...path, 'provider'];
    if (!isObject(provider) || broken(providerPath)) continue;
    const def = providers.find((p) => p.type === provider.type);
    if (!def?.validate) continue;
    for (const p of await def.validate(provider, { baseDir: loaded.baseDir })) {
      out.push({ path: [...providerPath, ...p.path], message: p.message, ...(p.hint ? { hint: p.hint } : {}) });
    }
  }
  return out;
}

function warnings(doc: Record<string, unknown>): Problem[] {
  return activitiesOf(doc)
    .filter(({ value }) => isProcessWithObjectArguments(value))
    .map(({ path }: Located) => ({
      path: [...path, 'provider', 'arguments'],
      message: 'process arguments given as an object are deprecated (Chaos Toolkit flattens them to key value …)',
      hint: 'give the arguments as a list: ["--flag", "value"]',
    }));
}

function isProcessWithObjectArguments(activity: Record<string, unknown>): boolean {
  const provider = activity.provider;
  return isObject(provider) && provider.type === 'process' && isObject(provider.arguments);
}

function toError(loaded: LoadedExperiment, p: Problem): TurbulenceError {
  const where = formatPath(p.path);
  const position = loaded.positions.locate(p.path);
  const hint = p.hint ?? HINTS[String(p.path[0])];
  return new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, where ? `${where}: ${p.message}` : p.message, {
    location: { file: loaded.source, ...position, path: p.path },
    ...(hint ? { hint } : {}),
  });
}

function sortByPosition(errors: TurbulenceError[]): TurbulenceError[] {
  const key = (e: TurbulenceError) => (e.location?.line ?? 0) * 1e6 + (e.location?.column ?? 0);
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => key(a.e) - key(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const BRACED = /(?<!\$)\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}/g;

/**
 * `${name}` in an http provider's `url` or `headers` that no configuration key or secret defines. Chaos Toolkit
 * leaves an unknown name as literal text (string.Template.safe_substitute), so the request fails at run time with
 * a URL error; here it is a validate error naming the variable and the keys that exist. (Process arguments are not
 * checked: a shell expands its own `${HOME}`.)
 */
function undefinedPlaceholders(experiment: Experiment, opts: ValidateOptions): Problem[] {
  const known = new Set<string>([
    ...Object.keys(experiment.configuration ?? {}),
    ...Object.keys(opts.overrides?.definitions ?? {}),
  ]);
  for (const scope of Object.values(experiment.secrets ?? {})) {
    if (isObject(scope)) for (const k of Object.keys(scope)) known.add(k);
  }
  for (const scope of Object.values(opts.overrides?.secrets ?? {})) for (const k of Object.keys(scope)) known.add(k);
  const problems: Problem[] = [];
  for (const { value, path } of activitiesOf(experiment)) {
    const provider = value.provider;
    if (!isObject(provider) || provider.type !== 'http') continue;
    const fields: [(string | number)[], unknown][] = [[['url'], provider.url]];
    if (isObject(provider.headers))
      for (const [h, v] of Object.entries(provider.headers)) fields.push([['headers', h], v]);
    for (const [field, text] of fields) {
      if (typeof text !== 'string') continue;
      for (const m of text.matchAll(BRACED)) {
        const name = m[1] as string;
        if (known.has(name)) continue;
        const keys = [...known];
        problems.push({
          path: [...path, 'provider', ...field],
          message: `\${${name}} is not defined: the configuration and secrets have ${keys.length > 0 ? keys.map((k) => `"${k}"`).join(', ') : 'no keys'}`,
          hint: `${nearKey(name, keys)}declare "${name}" under configuration (or in a --var-file)`,
        });
      }
    }
  }
  return problems;
}

function nearKey(name: string, keys: string[]): string {
  const suggestion = didYouMean(name, keys);
  return suggestion.startsWith('did you mean') ? `${suggestion} Or ` : '';
}
