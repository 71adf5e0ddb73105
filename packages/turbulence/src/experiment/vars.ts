/**
 * Overrides from the command line: `--var key[:type]=value` and `--var-file` (JSON/YAML `{configuration,
 * secrets}` or `.env`), and the `env_var_type` conversions they share with env-typed configuration.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { EnvConfigType, Secrets } from './types.js';

/** An environment: `process.env` or a copy of it. */
export type Env = Record<string, string | undefined>;

/** Values given on the command line or in var files; each replaces the experiment's definition of its key. */
export interface Overrides {
  configuration: Record<string, unknown>;
  secrets: Secrets;
  /**
   * Full configuration definitions from var files (`{type: env, ...}`, `{type: probe, ...}`): resolved exactly like
   * the experiment's own configuration, adding or replacing the key (chaostoolkit-lib issue 252,
   * tests/fixtures/env_vars_issue252.json).
   */
  definitions?: Record<string, unknown>;
}

/** True for a configuration value that is a definition to resolve (`env` or dynamic `probe`), not a value. */
export function isConfigDefinition(value: unknown): boolean {
  return isObject(value) && (value.type === 'env' || value.type === 'probe');
}

/** The `env_var_type` / `--var key:type=` names. */
export const VAR_TYPES: readonly EnvConfigType[] = [
  'str',
  'string',
  'int',
  'integer',
  'float',
  'number',
  'bytes',
  'bool',
  'json',
];

const CONVERTERS: Record<EnvConfigType, (raw: string) => unknown> = {
  str: (s) => s,
  string: (s) => s,
  // No bytes type in JSON: the text is kept (Python would encode it to UTF-8 bytes).
  bytes: (s) => s,
  int: toInt,
  integer: toInt,
  float: toFloat,
  number: toFloat,
  bool: (s) => !['false', '0', 'no'].includes(s.trim().toLowerCase()),
  json: (s) => JSON.parse(s) as unknown,
};

/**
 * Converts a raw string as `env_var_type` does. Throws a CONFIGURATION error naming `what` when it cannot.
 *
 * @example
 * convertVar('8080', 'int', 'port'); // 8080
 * convertVar('no', 'bool', 'enabled'); // false
 */
export function convertVar(raw: string, type: string | undefined, what: string): unknown {
  if (type === undefined) return raw;
  const convert = Object.hasOwn(CONVERTERS, type) ? CONVERTERS[type as EnvConfigType] : undefined;
  if (!convert) {
    throw configError(`${what}: type "${type}" is unknown`, `use one of ${VAR_TYPES.join(', ')}`);
  }
  try {
    return convert(raw);
  } catch (err) {
    throw configError(`${what}: cannot convert ${JSON.stringify(raw)} to ${type}: ${errorMessage(err)}`);
  }
}

/**
 * Parses `key[:type]=value` (the `--var` flag).
 *
 * @example
 * parseVarFlag('port:int=8080'); // { key: 'port', value: 8080 }
 */
export function parseVarFlag(flag: string): { key: string; value: unknown } {
  const eq = flag.indexOf('=');
  const head = eq < 0 ? '' : flag.slice(0, eq);
  const colon = head.lastIndexOf(':');
  const key = colon < 0 ? head : head.slice(0, colon);
  if (!key) {
    throw new TurbulenceError(ErrorCodes.USAGE, `--var ${JSON.stringify(flag)} is not key[:type]=value`, {
      hint: 'for example --var port:int=8080 or --var host=127.0.0.1',
    });
  }
  const type = colon < 0 ? undefined : head.slice(colon + 1);
  try {
    return { key, value: convertVar(flag.slice(eq + 1), type, `--var ${key}`) };
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.USAGE, errorMessage(err), { hint: (err as TurbulenceError).hint });
  }
}

/**
 * Reads `--var-file` files in order: JSON/YAML `{configuration, secrets}` (later files win, key by key) or
 * `.env` files, whose variables are copied into `env`.
 *
 * @example
 * const overrides = await loadVarFiles(['vars.yaml', '.env']);
 */
export async function loadVarFiles(paths: readonly string[], env: Env = process.env): Promise<Overrides> {
  const out: Overrides = { configuration: {}, secrets: {} };
  for (const path of paths) {
    const text = await readVarFile(path);
    if (isDotEnv(path)) {
      Object.assign(env, parseEnv(text));
      continue;
    }
    const data = parseVarData(path, text);
    for (const [key, value] of Object.entries(data.configuration)) {
      // a later file's value replaces an earlier file's definition of the same key, and the other way round
      if (isConfigDefinition(value)) {
        (out.definitions ??= {})[key] = value;
        delete out.configuration[key];
      } else {
        out.configuration[key] = value;
        if (out.definitions) delete out.definitions[key];
      }
    }
    for (const [scope, values] of Object.entries(data.secrets))
      out.secrets[scope] = { ...out.secrets[scope], ...values };
  }
  return out;
}

/**
 * Builds the overrides of a run: var files, then `--var` flags on top.
 *
 * @example
 * const overrides = await loadOverrides({ vars: ['port:int=8080'], varFiles: ['vars.yaml'] });
 */
export async function loadOverrides(
  opts: { vars?: readonly string[]; varFiles?: readonly string[]; env?: Env } = {},
): Promise<Overrides> {
  const overrides = await loadVarFiles(opts.varFiles ?? [], opts.env ?? process.env);
  for (const flag of opts.vars ?? []) {
    const { key, value } = parseVarFlag(flag);
    overrides.configuration[key] = value;
    if (overrides.definitions) delete overrides.definitions[key];
  }
  return overrides;
}

async function readVarFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read var file "${path}": ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function isDotEnv(path: string): boolean {
  return extname(path) === '.env' || basename(path) === '.env';
}

function parseVarData(path: string, text: string): Overrides {
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw configError(`var file "${path}" must be .json, .yaml, .yml or .env`);
  }
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot parse var file "${path}": ${errorMessage(err)}`);
  }
  const doc = isObject(data) ? data : {};
  const configuration = doc.configuration ?? {};
  const secrets = doc.secrets ?? {};
  if (!isObject(configuration) || !isObject(secrets) || !Object.values(secrets).every(isObject)) {
    throw configError(`var file "${path}" must hold {configuration: {...}, secrets: {scope: {...}}}`);
  }
  return { configuration, secrets: secrets as Secrets };
}

function toInt(s: string): number {
  const t = s.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) throw new Error('not an integer');
  return Number(t.replace(/_/g, ''));
}

function toFloat(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)(e[+-]?\d+)?$/.test(t)) throw new Error('not a number');
  return Number(t.replace(/_/g, ''));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function configError(message: string, hint?: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.CONFIGURATION, message, hint ? { hint } : {});
}
