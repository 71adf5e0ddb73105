/**
 * @module The original bytes of a file a `config.*` fault changed, kept until the revert put them back:
 *
 *   ${TURBULENCE_HOME}/config-backups/<fault id>.orig   the exact original bytes   (0600, directory 0700)
 *   ${TURBULENCE_HOME}/config-backups/<fault id>.json   path, sha256 before/after, mode, uid, gid
 *
 * Both are written durably BEFORE the file changes; the ledger holds the path and sha256 (target attributes and
 * the fault's state), never the content (a configuration file may hold secrets). {@link restore} writes the
 * bytes back in place (same inode: hard links, owner and ACLs stay), then mode and owner, and checks the hash.
 */
import { constants } from 'node:fs';
import { chmod, chown, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from '../../os/atomic.js';
import { turbulenceHome } from '../../os/home.js';
import { sha256 } from '../../targets/file.js';

/** What a backup's `.json` records. */
export interface BackupMeta {
  path: string;
  /** sha256 of the original bytes (= the `.orig` file). */
  sha256: string;
  /** sha256 of what the fault wrote. */
  injectedSha256: string;
  mode: number;
  uid: number;
  gid: number;
}

/** The directory of backups: `${TURBULENCE_HOME}/config-backups`. */
export const backupDir = (home: string = turbulenceHome()): string => join(home, 'config-backups');

/** The two files of a fault's backup. */
export function backupFiles(id: string, home?: string): { bytes: string; meta: string } {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
  return { bytes: join(backupDir(home), `${safe}.orig`), meta: join(backupDir(home), `${safe}.json`) };
}

/** Saves the original bytes and their meta, durably, before the file changes. */
export async function saveBackup(id: string, original: Uint8Array, meta: BackupMeta): Promise<void> {
  const files = backupFiles(id);
  await ensurePrivateDir(backupDir());
  await writeFileAtomic(files.bytes, original);
  await writeFileAtomic(files.meta, `${JSON.stringify(meta, null, 2)}\n`);
}

/** The meta of a fault's backup, or undefined when there is none (never injected, or reverted). */
export async function readBackupMeta(id: string): Promise<BackupMeta | undefined> {
  const text = await readFile(backupFiles(id).meta, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as BackupMeta);
}

/** Removes a fault's backup (after a revert, or when inject changed nothing). */
export async function dropBackup(id: string): Promise<void> {
  const files = backupFiles(id);
  await removeFileDurably(files.bytes);
  await removeFileDurably(files.meta);
}

/** Writes `bytes` into an existing file in place (never through a symlink), or creates it with `mode`; fsyncs. */
export async function writeInPlace(path: string, bytes: Uint8Array, mode = 0o600): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  const handle = await open(path, flags, mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The current bytes of a file, or undefined when it is gone. */
export const readCurrent = (path: string): Promise<Buffer | undefined> =>
  readFile(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  });

/**
 * Puts a file back from its backup: the exact bytes, then mode and owner; checks the hash. Refuses (keeping the
 * backup) when the file changed since injection, unless `force`. Returns false when there was nothing to do.
 */
export async function restore(id: string, force: boolean): Promise<boolean> {
  const meta = await readBackupMeta(id);
  if (!meta) return false;
  const files = backupFiles(id);
  const current = await readCurrent(meta.path);
  const now = current === undefined ? undefined : sha256(current);
  if (now !== meta.sha256) {
    if (now !== meta.injectedSha256 && !force) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_REVERT_FAILED,
        `${meta.path} changed since turbulence changed it (${now === undefined ? 'it was deleted' : `sha256 now ${now.slice(0, 12)}…, turbulence wrote ${meta.injectedSha256.slice(0, 12)}…`}); not overwriting it (revert with --force to overwrite it)`,
        {
          location: { file: meta.path },
          hint: `the original is kept in ${files.bytes}; compare by hand, or revert anyway (overwriting the change) with \`turbulence fault revert ${id} --force\``,
        },
      );
    }
    const original = await readFile(files.bytes);
    if (sha256(original) !== meta.sha256) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_REVERT_FAILED,
        `the backup ${files.bytes} of ${meta.path} is damaged`,
        {
          location: { file: files.bytes },
          hint: 'its sha256 differs from the one recorded at injection; restore the file by hand',
        },
      );
    }
    await writeInPlace(meta.path, original, meta.mode);
  }
  await restoreMetadata(meta);
  const after = await readCurrent(meta.path);
  if (after === undefined || sha256(after) !== meta.sha256) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_REVERT_FAILED,
      `${meta.path} does not hold its original bytes after the revert`,
      {
        location: { file: meta.path },
        hint: `something else writes it; the original is kept in ${files.bytes}`,
      },
    );
  }
  await dropBackup(id);
  return true;
}

async function restoreMetadata(meta: BackupMeta): Promise<void> {
  const st = await stat(meta.path);
  try {
    if ((st.mode & 0o7777) !== meta.mode) await chmod(meta.path, meta.mode);
    if (st.uid !== meta.uid || st.gid !== meta.gid) await chown(meta.path, meta.uid, meta.gid);
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_REVERT_FAILED,
      `restored the bytes of ${meta.path} but not its mode/owner (${meta.mode.toString(8)} ${meta.uid}:${meta.gid}): ${errorMessage(err)}`,
      { location: { file: meta.path }, hint: 'run the revert as a user allowed to chown the file (root)' },
    );
  }
}
