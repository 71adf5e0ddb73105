/**
 * @module `config.env` and `config.arg`: bad configuration pushed to a process turbulence supervises (a managed
 * process or a lab service) by restarting it with one environment variable or one flag changed. The change is a
 * spec override (`supervisor/overrides.ts`) named from the fault id; the supervisor, in whichever turbulence
 * process it runs, starts the process with it. The original value never enters the ledger:
 *
 *   inject:  original (from /proc/<pid>/environ, or the args) ──▶ 0600 backup config-backups/<id>.orig + .json
 *            ──▶ override spec-overrides/<id>.json ──▶ restart (waits for readiness)
 *   revert:  remove the override ──▶ restart ──▶ the new process's /proc shows the original (sha256) ──▶ drop backup
 *
 * A service that does not come up with the bad value is the fault's effect, not a failed inject: the state says
 * `ready: false` with why.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../../core/errors.js';
import type { AppliedFault, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { didYouMean } from '../../core/suggest.js';
import { ensurePrivateDir, writeFileAtomic } from '../../os/atomic.js';
import { environOf, readProcSync } from '../../os/proc.js';
import { findManaged, isRecordAlive, restartManaged } from '../../supervisor/managed.js';
import {
  editArgs,
  effectiveSpec,
  readOverride,
  removeOverride,
  writeOverride,
  type ArgOverride,
  type EnvOverride,
} from '../../supervisor/overrides.js';
import type { ManagedRecord } from '../../supervisor/record.js';
import { supervisedQuerySchema } from '../../targets/queries.js';
import { attributesOf, resolveProcesses } from '../../targets/process.js';
import { sha256 } from '../../targets/file.js';
import { faultIdOf } from '../naming.js';
import { backupDir, backupFiles, dropBackup } from './backup.js';
import { argParams, envParams } from './schema.js';
import type { z } from 'zod';

type EnvParams = z.output<typeof envParams>;
type ArgParams = z.output<typeof argParams>;

/** What the backup's `.json` records (the `.orig` beside it holds the original value's bytes). */
interface SpecBackupMeta {
  managed: string;
  /** `env NAME` or `arg --flag`. */
  what: string;
  /** sha256 of the `.orig` bytes: the variable's value, or the JSON of the whole original argument list. */
  sha256: string;
  /** False when the variable or flag did not exist before. */
  present: boolean;
}

/** One kind's part: the original as bytes, and the override. */
interface SpecEdit {
  what: string;
  original: { bytes: Buffer; present: boolean };
  override: { env: EnvOverride } | { arg: ArgOverride };
}

const managedOf = (t: Target): string => attributesOf(t).managed ?? '';

async function resolveSupervised(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = supervisedQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `invalid target: ${keys.length > 0 ? `unknown field ${keys.join(', ')}` : (issue?.message ?? '')}`,
      {
        location: { path: ['target', ...(keys.length > 0 ? keys : (issue?.path ?? []).map(String))] },
        hint:
          keys.length > 0
            ? `${didYouMean(keys[0]!, ['managed', 'lab', 'host', 'service'])}; the target is managed=NAME or lab= host= service=`
            : 'the target is managed=NAME (a supervised process) or lab= host= service= (a lab service)',
      },
    );
  }
  const targets = await resolveProcesses(parsed.data);
  if (targets.length === 0) {
    const name = parsed.data.managed ?? `${parsed.data.lab}/${parsed.data.host}/${parsed.data.service}`;
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${name} is supervised but not running`, {
      hint: 'start it again (`process.restart`, or the lab) before changing its configuration',
    });
  }
  return targets;
}

function invalid(message: string, field: string, hint: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, message, { location: { path: ['params', field] }, hint });
}

/** `config.env`: the original value (from the running process), and the override. */
function envEdit(record: ManagedRecord, p: EnvParams): SpecEdit {
  const current = effectiveSpec(record.spec);
  const environ = environOf(record.pid);
  const seen = environ ?? new Map(Object.entries({ ...process.env, ...current.spec.env }));
  const before = seen.get(p.name);
  const name = record.spec.name;
  if (before === undefined && (p.unset || !p.create)) {
    const own = Object.keys(record.spec.env);
    const names = [...new Set([...own, ...seen.keys()])];
    throw invalid(
      `${name} has no environment variable ${p.name}`,
      'name',
      [
        didYouMean(p.name, names),
        own.length > 0 ? `(set by its spec: ${own.slice(0, 12).join(', ')})` : '',
        p.unset ? '' : '; --param create=true adds it',
      ]
        .join(' ')
        .trim(),
    );
  }
  const after = p.unset ? undefined : (p.value ?? '');
  if (after === before) {
    throw invalid(`config.env would not change ${name}: ${p.name} already is that`, 'value', 'give another value');
  }
  return {
    what: `env ${p.name}`,
    original: { bytes: Buffer.from(before ?? '', 'utf8'), present: before !== undefined },
    override: { env: { name: p.name, value: after ?? null } },
  };
}

/** `config.arg`: the original argument list, and the override. */
function argEdit(record: ManagedRecord, p: ArgParams): SpecEdit {
  const args = effectiveSpec(record.spec).spec.args;
  const edit: ArgOverride = { flag: p.flag, value: p.value, remove: p.remove, create: p.create };
  const next = editArgs(args, edit);
  if (JSON.stringify(next) === JSON.stringify(args)) {
    throw invalid(
      `config.arg would not change ${record.spec.name}: ${p.flag} already is that`,
      'value',
      'give another value',
    );
  }
  const original = [...record.spec.args];
  return {
    what: `arg ${p.flag}`,
    original: { bytes: Buffer.from(JSON.stringify(original), 'utf8'), present: true },
    override: { arg: edit },
  };
}

async function saveSpecBackup(id: string, original: Buffer, meta: SpecBackupMeta): Promise<void> {
  const files = backupFiles(id);
  await ensurePrivateDir(backupDir());
  await writeFileAtomic(files.bytes, original);
  await writeFileAtomic(files.meta, `${JSON.stringify(meta, null, 2)}\n`);
}

async function readSpecBackup(id: string): Promise<SpecBackupMeta | undefined> {
  const text = await readFile(backupFiles(id).meta, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as SpecBackupMeta);
}

/** Restarts `name`; a process that does not come up is reported, not thrown (it may be the fault's effect). */
async function restart(name: string): Promise<{ record?: ManagedRecord; error?: string }> {
  try {
    return { record: await restartManaged(name) };
  } catch (err) {
    if (isTurbulenceError(err) && (err.code === ErrorCodes.UNAVAILABLE || err.code === ErrorCodes.TIMEOUT)) {
      return { error: errorMessage(err) };
    }
    throw err;
  }
}

/** The id the override and backup are named from: the state's (a driver called without a manager), else the fault's. */
function specIdOf(fault: AppliedFault<unknown>): string {
  const s = fault.state;
  const named = typeof s === 'object' && s !== null && !Array.isArray(s) ? s.backup : undefined;
  return typeof named === 'string' ? named : fault.id;
}

/** A `config.env` / `config.arg` driver from its kind and edit. */
function specDriver<P extends EnvParams | ArgParams>(
  kind: string,
  summary: string,
  params: z.ZodType<P>,
  editOf: (record: ManagedRecord, p: P) => SpecEdit,
  key: (p: P) => string,
): FaultDriver<P> {
  return {
    kind,
    summary,
    params,
    targets: ['process'],
    resolveTargets: (query) => resolveSupervised(query),
    exclusive: (target, p) => `managed:${managedOf(target)}:${key(p)}`,
    async inject(target, p, ctx) {
      const id = faultIdOf(ctx, kind, target, p);
      const name = managedOf(target);
      const record = await findManaged(name);
      const again = await readSpecBackup(id);
      if (again && readOverride(id) && record.overrides?.includes(id) && (await isRecordAlive(record))) {
        return { backup: id, managed: name, what: again.what, sha256: again.sha256, pid: record.pid, ready: true };
      }
      const edit = editOf(record, p);
      const files = backupFiles(id);
      const meta = {
        managed: name,
        what: edit.what,
        sha256: sha256(edit.original.bytes),
        present: edit.original.present,
      };
      await saveSpecBackup(id, edit.original.bytes, meta);
      await writeOverride({ id, managed: name, at: new Date().toISOString(), ...edit.override });
      const started = await restart(name);
      return {
        backup: id,
        managed: name,
        what: edit.what,
        original: files.bytes,
        sha256: meta.sha256,
        present: meta.present,
        ready: started.record !== undefined,
        ...(started.record ? { pid: started.record.pid } : {}),
        ...(started.error !== undefined ? { error: started.error } : {}),
      };
    },
    async verify(fault) {
      const record = await findManaged(managedOf(fault.target)).catch(() => undefined);
      return record?.overrides?.includes(specIdOf(fault)) === true;
    },
    async revert(fault) {
      const id = specIdOf(fault);
      const name = managedOf(fault.target);
      const meta = await readSpecBackup(id);
      if (!meta && !readOverride(id)) return; // never injected, or reverted already
      await removeOverride(id);
      let record: ManagedRecord | undefined;
      try {
        record = (await restartManaged(name)) ?? undefined;
      } catch (err) {
        if (isTurbulenceError(err) && err.code === ErrorCodes.TARGET_REFUSED) {
          await dropBackup(id);
          return `nothing to restart: ${name} is no longer supervised`;
        }
        throw err; // the backup stays: a later revert (or recover) tries again
      }
      if (meta) {
        const original = await readFile(backupFiles(id).bytes).catch(() => undefined);
        if (original !== undefined && sha256(original) !== meta.sha256) {
          throw new TurbulenceError(ErrorCodes.FAULT_REVERT_FAILED, `the backup of ${name}'s ${meta.what} is damaged`, {
            location: { file: backupFiles(id).bytes },
            hint: 'its sha256 differs from the one recorded at injection; check the process by hand',
          });
        }
        const shows = showsOriginal(meta, original, record);
        if (shows === false) {
          throw new TurbulenceError(
            ErrorCodes.FAULT_REVERT_FAILED,
            `${name} was restarted but its ${meta.what} is not the original (pid ${record.pid})`,
            {
              hint: `another override may be in effect (see spec-overrides/ in TURBULENCE_HOME); the original is in ${backupFiles(id).bytes}`,
            },
          );
        }
      }
      await dropBackup(id);
    },
  };
}

/**
 * Does the restarted process show the original? The variable's value against the backup's sha256; for a flag,
 * the argv against what the spec says now (other flags' overrides may still apply). Undefined when /proc cannot
 * tell (the process exited, or is not readable).
 */
function showsOriginal(meta: SpecBackupMeta, original: Buffer | undefined, record: ManagedRecord): boolean | undefined {
  if (original === undefined) return undefined;
  if (meta.what.startsWith('env ')) {
    const env = environOf(record.pid);
    if (!env) return undefined;
    const value = env.get(meta.what.slice(4));
    if (!meta.present) return value === undefined;
    return value !== undefined && sha256(Buffer.from(value, 'utf8')) === meta.sha256;
  }
  const argv = readProcSync(record.pid)?.argv;
  if (!argv) return undefined;
  const args = effectiveSpec(record.spec).spec.args;
  return JSON.stringify(argv.slice(argv.length - args.length)) === JSON.stringify(args);
}

/** `config.env`. */
export const envDriver = specDriver<EnvParams>(
  'config.env',
  'restart a supervised process or lab service with one environment variable changed or removed; revert restarts it with the original',
  envParams,
  envEdit,
  (p) => `env:${p.name}`,
);

/** `config.arg`. */
export const argDriver = specDriver<ArgParams>(
  'config.arg',
  'restart a supervised process or lab service with one flag changed, added or removed; revert restarts it with the original',
  argParams,
  argEdit,
  (p) => `arg:${p.flag}`,
);
