/**
 * @module Who reverted a fault from outside its owner. When the dashboard (`turbulence ui`), `turbulence fault
 * revert` or `recover` reverts a ledger entry that a live run still tracks, it leaves a mark before removing the
 * entry; the owner's fault manager sees the entry go ({@link watchLedgerRemovals}), takes the mark, and reports the
 * fault reverted by that actor at that time, so the run's journal says `ui`, not `run-end`, and the run does not
 * revert it a second time.
 *
 *   ledger/<id>.json            the entry (removed after its revert succeeded)
 *   ledger/.reverted/<id>.json  {id, by, at, pid}: written after the revert, before the entry is removed
 *
 * Marks nobody takes (the owner is gone) are pruned after an hour. `Ledger.list` skips dot-folders.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../os/atomic.js';

/** A mark: who reverted the fault, and when (epoch ms). */
export interface RevertMark {
  id: string;
  by: string;
  at: number;
  pid: number;
}

const KEEP_MS = 60 * 60 * 1000;
const marksDir = (ledgerDir: string): string => join(ledgerDir, '.reverted');

/**
 * Records that `by` reverted fault `id` now (call it after the revert, before removing the entry).
 *
 * @example
 * await markRevertedBy(ledger.dir, entry.id, 'ui');
 */
export async function markRevertedBy(ledgerDir: string, id: string, by: string): Promise<void> {
  const dir = marksDir(ledgerDir);
  const mark: RevertMark = { id, by, at: Date.now(), pid: process.pid };
  await writeFileAtomic(join(dir, `${id}.json`), JSON.stringify(mark));
  await prune(dir);
}

/** Reads and removes the mark of `id`, if any. */
export async function takeRevertMark(ledgerDir: string, id: string): Promise<RevertMark | undefined> {
  const file = join(marksDir(ledgerDir), `${id}.json`);
  try {
    const mark = JSON.parse(await readFile(file, 'utf8')) as RevertMark;
    await rm(file, { force: true });
    return typeof mark.by === 'string' && typeof mark.at === 'number' ? mark : undefined;
  } catch {
    return undefined;
  }
}

async function prune(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = join(dir, name);
    const s = await stat(file).catch(() => undefined);
    if (s && now - s.mtimeMs > KEEP_MS) await rm(file, { force: true }).catch(() => undefined);
  }
}

/**
 * Calls `onRemoved(id)` when `<id>.json` disappears from the ledger directory while `tracked(id)` holds (inotify
 * through `fs.watch`; the watch does not keep the process alive). A directory that cannot be watched is not an
 * error: the manager then finds the mark when it reverts.
 */
export function watchLedgerRemovals(
  ledgerDir: string,
  tracked: (id: string) => boolean,
  onRemoved: (id: string) => void,
): { close(): void } {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(ledgerDir, { persistent: false }, (_type, name) => {
      const id = typeof name === 'string' && name.endsWith('.json') ? name.slice(0, -5) : undefined;
      if (!id || !tracked(id)) return;
      void stat(join(ledgerDir, name!)).then(
        () => undefined,
        () => tracked(id) && onRemoved(id),
      );
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return { close: () => watcher?.close() };
}
