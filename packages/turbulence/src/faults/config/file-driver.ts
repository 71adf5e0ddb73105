/**
 * @module The one driver shape of `config.set`, `config.delete` and `config.corrupt`: only the edit differs.
 *
 *   resolve: real path, sha256/mode/owner → target attributes (in the ledger before anything changes)
 *   inject:  read → same sha256 as resolved? → parse-check (refuse a broken file) → edit → backup (0600) → write
 *            in place → reload (a failing reload restores the file and fails the fault)
 *   revert:  file still what turbulence wrote (or --force)? → original bytes, mode, owner → sha256 check → reload
 */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { AppliedFault, FaultContext, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import type { z } from 'zod';
import { resolveFiles, sha256 } from '../../targets/file.js';
import { faultIdOf } from '../naming.js';
import { readBackupMeta, readCurrent, restore, saveBackup, writeInPlace } from './backup.js';
import { formatOf, type ConfigFormat } from './formats/index.js';
import { runReload, type Reload } from './reload.js';

/** What every `config.*` file kind's params have. */
export interface CommonParams {
  format?: ConfigFormat['name'] | undefined;
  reload?: Reload | undefined;
  force: boolean;
}

/** One edit: the new bytes and what to report about them. */
export interface Edit {
  bytes: Uint8Array;
  /** What changed, for the fault's state and the journal (never the whole file). */
  detail: JsonObject;
}

/** The edit of one kind: from the file's bytes (and text, format) to new bytes. */
export type EditFn<P> = (input: {
  file: string;
  bytes: Buffer;
  text: string;
  format: ConfigFormat;
  params: P;
  ctx: FaultContext;
}) => Edit;

const attr = (t: Target, key: string): string => {
  const v = t.attributes[key];
  return typeof v === 'string' ? v : '';
};
const pathOf = (t: Target): string => attr(t, 'path');

/** A `config.*` driver from its kind, params schema and edit. */
export function fileDriver<P extends CommonParams>(
  kind: string,
  summary: string,
  params: z.ZodType<P>,
  edit: EditFn<P>,
): FaultDriver<P> {
  return {
    kind,
    summary,
    params,
    targets: ['file'],
    resolveTargets: (query) => resolveFiles(query),
    // One fault per file: a second would back up the first's change, and reverting out of order loses the original.
    exclusive: (target) => `file:${pathOf(target)}`,
    async inject(target, p, ctx) {
      const id = faultIdOf(ctx, kind, target, p);
      const file = pathOf(target);
      const again = await readBackupMeta(id);
      const bytes = await readFile(file);
      if (again && sha256(bytes) === again.injectedSha256) return stateOf(id, again.sha256, again.injectedSha256, {});
      if (sha256(bytes) !== target.attributes.sha256) {
        throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${file} changed between resolving and injecting`, {
          location: { file },
          hint: 'something else is writing it; try again',
        });
      }
      const text = bytes.toString('utf8');
      const format = formatOf(file, p.format);
      format.check(file, text);
      const { bytes: next, detail } = edit({ file, bytes, text, format, params: p, ctx });
      const injectedSha256 = sha256(next);
      if (injectedSha256 === target.attributes.sha256) {
        throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${kind} would not change ${file}`, {
          location: { file, path: ['params'] },
          hint: 'the file already holds that (e.g. the key already has this value)',
        });
      }
      const a = target.attributes;
      await saveBackup(id, bytes, {
        path: file,
        sha256: attr(target, 'sha256'),
        injectedSha256,
        mode: Number(a.mode),
        uid: Number(a.uid),
        gid: Number(a.gid),
      });
      await writeInPlace(file, next);
      if (p.reload) await reloadOrRestore(id, file, p.reload);
      return stateOf(id, attr(target, 'sha256'), injectedSha256, { format: format.name, ...detail });
    },
    async revert(fault) {
      const p = fault.params;
      const restored = await restore(backupIdOf(fault), p.force);
      if (restored && p.reload) await runReload(p.reload);
    },
    async verify(fault) {
      const meta = await readBackupMeta(backupIdOf(fault));
      const now = meta ? await readCurrent(meta.path) : undefined;
      return now !== undefined && sha256(now) === meta?.injectedSha256;
    },
  };
}

/** The id a fault's backup is named from: the state's (a driver called without a manager), else the fault's. */
function backupIdOf(fault: AppliedFault<unknown>): string {
  const state = fault.state;
  const named = typeof state === 'object' && state !== null && !Array.isArray(state) ? state.backup : undefined;
  return typeof named === 'string' ? named : fault.id;
}

function stateOf(id: string, original: string, injected: string, detail: JsonObject): JsonObject {
  return { backup: id, sha256: original, injectedSha256: injected, ...detail };
}

/** A reload that fails after inject: put the file back (and reload that), then fail the fault. */
async function reloadOrRestore(id: string, file: string, reload: Reload): Promise<void> {
  try {
    await runReload(reload);
  } catch (err) {
    let restored = 'the file was restored';
    try {
      await restore(id, true);
    } catch (e) {
      restored = `restoring the file failed too: ${errorMessage(e)}`;
    }
    await runReload(reload).catch(() => undefined);
    throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `${errorMessage(err)}; ${restored}`, {
      location: { file },
      hint: 'check the reload param (pid, command, URL); nothing of the fault is left in effect',
      cause: err,
    });
  }
}
