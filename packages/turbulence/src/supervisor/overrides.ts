/**
 * @module Spec overrides: changes to a supervised process's spec (one environment variable, one flag) that apply
 * from its next start until they are removed. Each is a file of its own, named by an id (a `config.env` or
 * `config.arg` fault's ledger id), so any turbulence process can add or remove one and the supervisor, wherever
 * it runs, starts the process with them:
 *
 *   ${TURBULENCE_HOME}/spec-overrides/<id>.json   { id, managed, at, env | arg }       (0600, directory 0700)
 *
 *   Supervisor.launch / startAgain ──effectiveSpec(spec)──▶ spec + every override naming it (oldest first)
 *                                                           └─▶ record.overrides = the ids applied
 *
 * The base spec (in the supervisor and in `managed/<name>.json`) never changes: removing the override and
 * restarting is the whole revert.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from '../os/atomic.js';
import { turbulenceHome } from '../os/home.js';
import type { ManagedSpec } from './record.js';

/** A POSIX environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One environment variable set (`value`) or removed (`value: null`). */
export interface EnvOverride {
  name: string;
  value: string | null;
}

/**
 * One flag's value changed (`value`), the flag added (`create`) or removed (`remove`). A flag is found written as
 * `--flag=value` or `--flag value`; a new one is appended as `--flag value`.
 */
export interface ArgOverride {
  flag: string;
  value?: string | undefined;
  remove?: boolean | undefined;
  create?: boolean | undefined;
}

/** An override as stored. */
export interface SpecOverride {
  id: string;
  /** The managed-process name it applies to. */
  managed: string;
  /** ISO-8601 of when it was written: overrides apply oldest first. */
  at: string;
  env?: EnvOverride;
  arg?: ArgOverride;
}

/** The directory of overrides: `${TURBULENCE_HOME}/spec-overrides`. */
export const overridesDir = (home: string = turbulenceHome()): string => join(home, 'spec-overrides');

const fileOf = (id: string, home?: string): string =>
  join(overridesDir(home), `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

/** Writes an override durably (0600); it applies from the process's next start. */
export async function writeOverride(o: SpecOverride, home?: string): Promise<void> {
  await ensurePrivateDir(overridesDir(home));
  await writeFileAtomic(fileOf(o.id, home), `${JSON.stringify(o, null, 2)}\n`);
}

/** Removes an override (nothing happens when there is none). */
export async function removeOverride(id: string, home?: string): Promise<void> {
  await removeFileDurably(fileOf(id, home));
}

/** The override stored under `id`, if any. */
export function readOverride(id: string, home?: string): SpecOverride | undefined {
  try {
    return JSON.parse(readFileSync(fileOf(id, home), 'utf8')) as SpecOverride;
  } catch {
    return undefined;
  }
}

/** Every override of the process `managed`, oldest first. */
export function overridesOf(managed: string, home: string = turbulenceHome()): SpecOverride[] {
  let names: string[];
  try {
    names = readdirSync(overridesDir(home)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: SpecOverride[] = [];
  for (const n of names) {
    try {
      const o = JSON.parse(readFileSync(join(overridesDir(home), n), 'utf8')) as SpecOverride;
      if (o.managed === managed) out.push(o);
    } catch {
      // removed meanwhile, or torn by hand: a broken override is no override
    }
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
}

/** The spec a process starts with: `spec` plus its overrides; `unset` lists variables removed from the env. */
export interface EffectiveSpec {
  spec: ManagedSpec;
  unset: string[];
  /** Ids of the overrides applied. */
  applied: string[];
}

/**
 * `spec` with every override naming it applied, oldest first. An override that no longer applies (its flag is
 * gone from the args) is skipped: it is missing from `applied`, so the fault's `verify` tells.
 *
 * @example
 * const { spec: effective, unset } = effectiveSpec(record.spec);
 */
export function effectiveSpec(spec: ManagedSpec, home: string = turbulenceHome()): EffectiveSpec {
  const env = { ...spec.env };
  let args = [...spec.args];
  const unset = new Set<string>();
  const applied: string[] = [];
  for (const o of overridesOf(spec.name, home)) {
    if (o.env) {
      if (o.env.value === null) {
        delete env[o.env.name];
        unset.add(o.env.name);
      } else {
        env[o.env.name] = o.env.value;
        unset.delete(o.env.name);
      }
    } else if (o.arg) {
      try {
        args = editArgs(args, o.arg);
      } catch {
        continue;
      }
    }
    applied.push(o.id);
  }
  return { spec: { ...spec, env, args }, unset: [...unset], applied };
}

/** Where a flag is in `args`: its index, and whether its value is inline (`--flag=v`) or the next argument. */
export function findFlag(args: readonly string[], flag: string): { at: number; inline: boolean } | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--') return undefined; // after `--` come operands, not flags
    if (a === flag) return { at: i, inline: false };
    if (a.startsWith(`${flag}=`)) return { at: i, inline: true };
  }
  return undefined;
}

/** The flags written in `args` (before `--`), without their values: for "did you mean". */
export function flagsIn(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '--') break;
    if (/^--?[A-Za-z0-9]/.test(a)) out.push(a.split('=')[0]!);
  }
  return [...new Set(out)];
}

const takesNext = (args: readonly string[], i: number): boolean => i + 1 < args.length && !args[i + 1]!.startsWith('-');

/**
 * `args` with one flag edited (pure). Throws `FAULT_INVALID_PARAMS`, naming the flags present, when the flag is
 * missing and not `create`.
 *
 * @example
 * editArgs(['--port', '8080', '-v'], { flag: '--port', value: '9999' }); // ['--port', '9999', '-v']
 * editArgs(['--port=8080'], { flag: '--port', remove: true });           // []
 */
export function editArgs(args: readonly string[], edit: ArgOverride): string[] {
  const out = [...args];
  const found = findFlag(out, edit.flag);
  if (!found) {
    if (edit.create && !edit.remove) {
      const end = out.indexOf('--');
      const add = edit.value === undefined ? [edit.flag] : [edit.flag, edit.value];
      out.splice(end < 0 ? out.length : end, 0, ...add);
      return out;
    }
    const present = flagsIn(args);
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `the arguments have no flag ${edit.flag}`, {
      location: { path: ['params', 'flag'] },
      hint:
        present.length > 0
          ? `${didYouMean(edit.flag, present)} (flags there: ${present.slice(0, 12).join(', ')}); --param create=true adds it`
          : 'the process has no flags in its argument list (a shell-string command cannot be edited); --param create=true adds it',
    });
  }
  const { at, inline } = found;
  if (edit.remove) {
    out.splice(at, inline || !takesNext(out, at) ? 1 : 2);
    return out;
  }
  if (edit.value === undefined) return out;
  if (inline) out[at] = `${edit.flag}=${edit.value}`;
  else if (takesNext(out, at)) out[at + 1] = edit.value;
  else out.splice(at + 1, 0, edit.value);
  return out;
}
