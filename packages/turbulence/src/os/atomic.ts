/**
 * @module Atomic, durable file writes: a crash (of turbulence or of the machine) leaves either the old content or
 * the new one, never a torn file. Every durable record turbulence keeps (ledger, managed records, lab state,
 * journals) is written through here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { alive } from './signals.js';

const tempPath = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes a file so that a crash leaves either the old content or the new, never a torn file: write a temporary
 * file beside it, fsync it, rename it over the target, then fsync the directory so the rename itself is durable.
 *
 * @example
 * await writeFileAtomic('/tmp/t/ledger/f-1.json', JSON.stringify(entry));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 }); // the home and its directories are private
  const tmp = tempPath(path);
  try {
    const file = await open(tmp, 'w', mode);
    try {
      await file.writeFile(data, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk fails the write after the open: never leave the half-written temporary file behind.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/**
 * {@link writeFileAtomic} for callers that must not yield (a state written from an event handler, in order).
 *
 * @example
 * writeFileAtomicSync('/tmp/t/labs/etcd.json', JSON.stringify(state));
 */
export function writeFileAtomicSync(path: string, data: string, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 }); // the home and its directories are private
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    // A full disk fails the write after the open: never leave the half-written temporary file behind.
    rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** `.<name>.<pid>.<hex>.tmp`: a temporary file of {@link writeFileAtomic}, with the pid of its writer. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temporary files of {@link writeFileAtomic} in `dir` whose writer process is gone (killed between
 * open and rename). Returns their names. A missing directory has none.
 */
export async function removeStaleTemporaryFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMPORARY.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || alive(pid)) continue;
    await rm(join(dir, name), { force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

/**
 * Creates `dir` (and missing parents) with mode 0700, or tightens an existing `dir` of this user to 0700. Parents
 * that exist already are left as they are (TURBULENCE_HOME may be a directory the user shares on purpose).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await chmod(dir, 0o700);
}

/** Removes a file and makes the removal durable; a missing file is fine. */
export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
