/**
 * @module The guardian's lock: one guardian per turbulence home. The lock is a file created with O_EXCL that
 * holds the holder's pid and start time; a lock whose holder is gone (dead, or its pid recycled) is stale and
 * taken over. Taking over is itself serialised by a second O_EXCL file, so two contenders never both win.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { isSameProcess } from '../../os/proc.js';
import { startTimeOfSync } from '../../os/proc.js';

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  startTime: string;
}

/** A takeover file older than this was left by a contender that died mid-takeover. */
const TAKEOVER_STALE_MS = 10_000;

/** The holder written in a lock file, or undefined when it is missing or unreadable. */
export async function readLock(file: string): Promise<LockHolder | undefined> {
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof raw.pid === 'number' && typeof raw.startTime === 'string') {
      return { pid: raw.pid, startTime: raw.startTime };
    }
  } catch {
    // missing, torn or not ours: treated as stale
  }
  return undefined;
}

/** True when the lock file names a live process. */
export async function lockHeld(file: string): Promise<boolean> {
  const holder = await readLock(file);
  return holder !== undefined && (await isSameProcess(holder.pid, holder.startTime));
}

/**
 * Takes the lock for this process; false when a live process holds it.
 *
 * @example
 * if (!(await acquireLock(join(home, 'guardian.lock')))) process.exit(0);
 */
export async function acquireLock(file: string): Promise<boolean> {
  const me: LockHolder = { pid: process.pid, startTime: startTimeOfSync(process.pid) ?? '0' };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(file, JSON.stringify(me))) return true;
    const holder = await readLock(file);
    if (holder && holder.pid === me.pid && holder.startTime === me.startTime) return true;
    if (holder && (await isSameProcess(holder.pid, holder.startTime))) return false;
    if (!(await takeOver(file, holder))) return false;
  }
  return false;
}

/** Removes the lock when this process holds it. */
export async function releaseLock(file: string): Promise<void> {
  const holder = await readLock(file);
  if (holder?.pid === process.pid) await rm(file, { force: true });
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes a stale lock under the takeover mutex; false when another contender is taking over right now. */
async function takeOver(file: string, seen: LockHolder | undefined): Promise<boolean> {
  const mutex = `${file}.takeover`;
  if (!(await createExclusive(mutex, String(process.pid)))) {
    const age = await stat(mutex).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > TAKEOVER_STALE_MS) await rm(mutex, { force: true });
    return age > TAKEOVER_STALE_MS;
  }
  try {
    const now = await readLock(file);
    // Remove only the stale lock we looked at, not one a faster contender has just created.
    if (now?.pid === seen?.pid && now?.startTime === seen?.startTime) await rm(file, { force: true });
  } finally {
    await rm(mutex, { force: true });
  }
  return true;
}
