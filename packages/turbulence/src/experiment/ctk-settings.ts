/**
 * Chaos Toolkit's settings file (`~/.chaostoolkit/settings.yaml`, `chaos --settings PATH`) and `--control-file`
 * files, as chaostoolkit-lib reads them (chaoslib/settings.py, chaoslib/control/__init__.py
 * `load_global_controls`):
 *
 *   auths:                        # Authorization for experiments loaded from a URL, by host[:port]
 *     example.com: {type: bearer, value: TOKEN}
 *   controls:                     # global controls, applied to every experiment, before its own
 *     my-safeguard: {provider: {type: python, module: my_safeguard, arguments: {...}}}
 *   runtime: {rollbacks: {strategy}, hypothesis: {strategy}}
 *
 * A `--control-file` holds the same `controls:` mapping (or the mapping alone). A missing default settings file
 * is no error (Chaos Toolkit runs without one); a missing or broken named file is.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { Control } from './types.js';

/** One `auths` entry: sent as `Authorization: <type> <value>`. */
export interface CtkAuth {
  type: string;
  value: string;
}

/** What turbulence uses from a Chaos Toolkit settings file. */
export interface CtkSettings {
  /** The whole file as read (passed to Python controls that declare `settings`). */
  raw: Record<string, unknown>;
  auths: Record<string, CtkAuth>;
  controls: Control[];
  /** Where it came from, or undefined when there was no file. */
  path?: string;
}

/** `~/.chaostoolkit/settings.yaml`, Chaos Toolkit's default. */
export function defaultCtkSettingsPath(): string {
  return join(homedir(), '.chaostoolkit', 'settings.yaml');
}

function settingsError(path: string, message: string, hint?: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.CONFIGURATION, `${path}: ${message}`, hint ? { hint } : {});
}

async function readYamlMap(path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [0, 0];
      throw settingsError(`${path}:${line}:${col}`, `${what} is not valid YAML/JSON: ${err.message.split('\n')[0]}`);
    }
    throw settingsError(path, `${what} cannot be read: ${errorMessage(err)}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw settingsError(path, `${what} must be a mapping`);
  return value as Record<string, unknown>;
}

/**
 * Controls from a `controls:` mapping (`name → {provider, scope?, automatic?}`), in file order.
 *
 * @example
 * controlsFromMap({ log: { provider: { type: 'python', module: 'my_log' } } }, 's.yaml'); // [{ name: 'log', provider: ... }]
 */
export function controlsFromMap(map: unknown, where: string): Control[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map)) {
    throw settingsError(where, 'controls must be a mapping of name → {provider: {...}}');
  }
  return Object.entries(map as Record<string, unknown>).map(([name, def]) => {
    if (def === null || typeof def !== 'object' || !('provider' in def)) {
      throw settingsError(where, `control "${name}" needs a provider, e.g. {provider: {type: python, module: m}}`);
    }
    return { ...(def as object), name };
  });
}

/**
 * Reads a Chaos Toolkit settings file; the default path may be absent (empty settings), a named one may not.
 *
 * @example
 * const settings = await loadCtkSettings(); // ~/.chaostoolkit/settings.yaml, or empty
 */
export async function loadCtkSettings(path?: string): Promise<CtkSettings> {
  const file = path ?? defaultCtkSettingsPath();
  let raw: Record<string, unknown>;
  try {
    raw = await readYamlMap(file, 'the settings file');
  } catch (err) {
    if (path === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT')
      return { raw: {}, auths: {}, controls: [] };
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw settingsError(file, 'settings file not found', 'check the --settings path');
    }
    throw err;
  }
  const auths: Record<string, CtkAuth> = {};
  const rawAuths = raw.auths;
  if (rawAuths !== undefined && rawAuths !== null) {
    if (typeof rawAuths !== 'object' || Array.isArray(rawAuths)) {
      throw settingsError(file, 'auths must be a mapping of host[:port] → {type, value}');
    }
    for (const [host, a] of Object.entries(rawAuths as Record<string, unknown>)) {
      const entry = a as Partial<CtkAuth> | null;
      if (!entry || typeof entry.type !== 'string' || typeof entry.value !== 'string') {
        throw settingsError(file, `auths.${host} must be {type: bearer, value: TOKEN}`);
      }
      auths[host] = { type: entry.type, value: entry.value };
    }
  }
  return { raw, auths, controls: controlsFromMap(raw.controls, file), path: file };
}

/**
 * Reads `--control-file` files: each holds `controls: {name: {provider}}` (as in the settings file) or the mapping
 * alone. Later files win over earlier ones for the same name.
 */
export async function loadControlFiles(paths: readonly string[]): Promise<Control[]> {
  const byName = new Map<string, Control>();
  for (const path of paths) {
    let raw: Record<string, unknown>;
    try {
      raw = await readYamlMap(path, 'the control file');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw settingsError(path, 'control file not found');
      throw err;
    }
    const map = 'controls' in raw ? raw.controls : raw;
    for (const c of controlsFromMap(map, path)) byName.set(c.name, c);
  }
  return [...byName.values()];
}

/**
 * The global controls of a run: the settings file's, then the control files' (a control file's control replaces
 * a settings control of the same name).
 */
export function globalControls(settings: CtkSettings, fromFiles: readonly Control[]): Control[] {
  const names = new Set(fromFiles.map((c) => c.name));
  return [...settings.controls.filter((c) => !names.has(c.name)), ...fromFiles];
}
