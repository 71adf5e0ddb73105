/**
 * @module The one store: where turbulence keeps its durable local state, how it writes it, and who may change it.
 *
 *   ${TURBULENCE_HOME:-~/.turbulence}/
 *     ledger/<id>.json          one file per fault not yet reverted (owner: the injecting process)
 *     managed/<name>.json       one record per supervised process, and its log <name>.log (owner: its supervisor)
 *     labs/<lab>.json           one state per lab (owner: the `lab up` process supervising it)
 *     labs/<lab>/               the lab's logs (logs/<host>/<service>.log), host directories, supervisor.log
 *
 * Every file is written whole by {@link writeFileAtomic} (or its sync twin): temp file, fsync, rename, fsync of
 * the directory. Lock discipline: no file locks; each file has one owner process, recorded in it with its pid
 * AND start time (a recycled pid is not the owner). Only the owner writes a file while it lives; any process may
 * read it; `turbulence recover` (and `lab down`) act on a file only once its owner is gone.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * The state directory: `$TURBULENCE_HOME`, or `~/.turbulence`.
 *
 * @example
 * turbulenceHome({ TURBULENCE_HOME: '/tmp/t' }); // '/tmp/t'
 */
export function turbulenceHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.TURBULENCE_HOME;
  return home && home.length > 0 ? home : join(homedir(), '.turbulence');
}

/** Directory of the ledger: one JSON file per fault in effect. */
export function ledgerDir(home: string = turbulenceHome()): string {
  return join(home, 'ledger');
}

/** Directory of supervised-process records (`<name>.json`) and their logs (`<name>.log`). */
export function managedDir(home: string = turbulenceHome()): string {
  return join(home, 'managed');
}

/** Directory of lab states (`<lab>.json`) and each lab's files (`<lab>/`). */
export function labsDir(home: string = turbulenceHome()): string {
  return join(home, 'labs');
}

/**
 * Writes a file so that a crash leaves either the old content or the new, never a torn file: write a temporary
 * file beside it, fsync it, rename it over the target, then fsync the directory so the rename itself is durable.
 *
 * @example
 * await writeFileAtomic('/tmp/t/ledger/f-1.json', JSON.stringify(entry));
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 }); // the home and its directories are private
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
    if (!Number.isSafeInteger(pid) || pid === process.pid || processExists(pid)) continue;
    await rm(join(dir, name), { force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
