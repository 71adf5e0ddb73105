/**
 * Configuration and secrets (Chaos Toolkit §3, §4): inline values, env-typed values, dynamic (probe) values,
 * `--var key[:type]=value` and `--var-file` overrides.
 *
 * Precedence, lowest first: the experiment's own definition < var files (in order; later files win) < `--var`.
 * An override replaces a key's whole definition, env-typed ones included. `.env` var files are copied into the
 * environment before anything is resolved.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Configuration, Experiment, Probe, Secrets } from './types.js';
import { convertVar, type Env, type Overrides } from './vars.js';

export { VAR_TYPES, convertVar, loadOverrides, loadVarFiles, parseVarFlag } from './vars.js';
export type { Env, Overrides } from './vars.js';

/** A configuration key whose value a probe computes once before the run (§3, dynamic configuration). */
export interface DynamicConfiguration {
  key: string;
  activity: Probe;
}

/** Configuration and secrets ready for substitution; `dynamic` is left for the runner to evaluate in order. */
export interface ResolvedConfiguration {
  configuration: Record<string, unknown>;
  secrets: Secrets;
  dynamic: DynamicConfiguration[];
  /** `--var` / var-file keys the experiment does not declare: dropped, as Chaos Toolkit does (the runner warns). */
  dropped?: string[];
}

/**
 * Resolves the experiment's `configuration` block. Env-typed values read `env`; a missing variable with no
 * default and no override is an error naming the key (all such keys are reported, as `details`).
 *
 * @example
 * const { configuration, dynamic } = loadConfiguration(experiment.configuration, { port: 8080 }, process.env);
 */
export function loadConfiguration(
  config: Configuration | undefined,
  overrides: Record<string, unknown> = {},
  env: Env = process.env,
): { configuration: Record<string, unknown>; dynamic: DynamicConfiguration[] } {
  const configuration: Record<string, unknown> = {};
  const dynamic: DynamicConfiguration[] = [];
  const problems: TurbulenceError[] = [];
  for (const [key, value] of Object.entries(config ?? {})) {
    if (Object.hasOwn(overrides, key)) continue;
    const typed = typeOf(value);
    try {
      if (typed === 'env') configuration[key] = envValue(key, value as Record<string, unknown>, env, true);
      else if (typed === 'probe') dynamic.push({ key, activity: { name: key, ...(value as object) } as Probe });
      else configuration[key] = value;
    } catch (err) {
      problems.push(located(err, ['configuration', key]));
    }
  }
  Object.assign(configuration, overrides);
  throwAll(problems);
  return { configuration, dynamic };
}

/**
 * Resolves the `secrets` block: inline values, `{type: "env", key}` (no default), nested objects. Vault is not
 * supported and says so.
 *
 * @example
 * const secrets = loadSecrets(experiment.secrets, {}, process.env); // { scope: { token: '...' } }
 */
export function loadSecrets(secrets: Secrets | undefined, overrides: Secrets = {}, env: Env = process.env): Secrets {
  const out: Secrets = {};
  const problems: TurbulenceError[] = [];
  for (const [scope, values] of Object.entries(secrets ?? {})) {
    out[scope] = loadSecretObject(values, ['secrets', scope], env, problems);
  }
  for (const [scope, values] of Object.entries(overrides)) out[scope] = { ...out[scope], ...values };
  throwAll(problems);
  return out;
}

/**
 * Resolves configuration then secrets of an experiment (dynamic values are returned for the runner).
 *
 * @example
 * const { configuration, secrets, dynamic } = resolveConfiguration(loaded.experiment, await loadOverrides(opts));
 */
export function resolveConfiguration(
  experiment: Experiment,
  overrides: Overrides = { configuration: {}, secrets: {} },
  env: Env = process.env,
): ResolvedConfiguration {
  const problems: TurbulenceError[] = [];
  const attempt = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (err) {
      problems.push(...flatten(err));
      return fallback;
    }
  };
  // Var-file definitions join the experiment's block; plain values only override keys it declares:
  // chaoslib/configuration.py load_configuration iterates the declared keys, so an undeclared --var is dropped.
  const declared = { ...(experiment.configuration ?? {}), ...(overrides.definitions ?? {}) };
  const plain: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(overrides.configuration)) {
    if (Object.hasOwn(declared, key)) plain[key] = value;
    else dropped.push(key);
  }
  const loaded = attempt(() => loadConfiguration(declared, plain, env), {
    configuration: {},
    dynamic: [],
  });
  const secrets = attempt(() => loadSecrets(experiment.secrets, overrides.secrets, env), {});
  throwAll(problems);
  return { ...loaded, secrets, ...(dropped.length > 0 ? { dropped } : {}) };
}

/** An error and its details as one flat list. */
export function flatten(err: unknown): TurbulenceError[] {
  if (!(err instanceof TurbulenceError)) throw err;
  return [err, ...err.details];
}

function loadSecretObject(
  values: unknown,
  path: (string | number)[],
  env: Env,
  problems: TurbulenceError[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(values)) return out;
  for (const [key, value] of Object.entries(values)) {
    const typed = typeOf(value);
    try {
      if (typed === 'env') out[key] = envValue(key, value as Record<string, unknown>, env, false);
      else if (typed === 'vault') throw vaultError(key);
      else if (isObject(value) && typed === undefined)
        out[key] = loadSecretObject(value, [...path, key], env, problems);
      else out[key] = value;
    } catch (err) {
      problems.push(located(err, [...path, key]));
    }
  }
  return out;
}

function envValue(key: string, def: Record<string, unknown>, env: Env, isConfig: boolean): unknown {
  const name = def.key;
  if (typeof name !== 'string' || name === '') {
    throw configError(`${key}: an env value needs a "key" naming the environment variable`);
  }
  const raw = env[name];
  const type = def.env_var_type as string | undefined;
  if (raw !== undefined) return convertVar(raw, type, key);
  if (isConfig && Object.hasOwn(def, 'default')) {
    return typeof def.default === 'string' ? convertVar(def.default, type, key) : def.default;
  }
  const what = isConfig ? 'Configuration' : 'Secrets';
  throw configError(
    `${what} makes reference to an environment key that does not exist: ${name} (for "${key}")`,
    isConfig
      ? `export ${name}=..., give the entry a "default", or pass --var ${key}=...`
      : `export ${name}=... or pass a --var-file with secrets`,
  );
}

function vaultError(key: string): TurbulenceError {
  return new TurbulenceError(
    ErrorCodes.UNAVAILABLE,
    `${key}: HashiCorp Vault secrets are not supported by turbulence`,
    {
      hint: 'read the secret from an environment variable ({"type": "env", "key": "..."}) or a --var-file',
    },
  );
}

function typeOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.type === 'string' ? value.type : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function configError(message: string, hint?: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.CONFIGURATION, message, hint ? { hint } : {});
}

function located(err: unknown, path: (string | number)[]): TurbulenceError {
  if (!(err instanceof TurbulenceError)) throw err;
  return new TurbulenceError(err.code, err.message, {
    location: { path },
    ...(err.hint ? { hint: err.hint } : {}),
  });
}

function throwAll(problems: TurbulenceError[]): void {
  const [first, ...rest] = problems;
  if (!first) return;
  throw new TurbulenceError(first.code, first.message, {
    ...(first.location ? { location: first.location } : {}),
    ...(first.hint ? { hint: first.hint } : {}),
    details: rest,
  });
}
