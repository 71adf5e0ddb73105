/**
 * Writes a run's journal to disk as it is built: after every phase (each hypothesis, each activity start and end,
 * each fault, the rollbacks, the end), atomically (temporary file, fsync, rename), so a run killed at any moment
 * leaves a readable journal — with `status: "running"` when the run never ended (Chaos Toolkit's live status).
 * Writes are serialized and coalesced: while one is in flight, only the newest journal is written next.
 */
import { writeFileAtomic } from '../faults/paths.js';
import type { RunEvents } from './events.js';
import { JournalBuilder } from './journal-builder.js';
import type { Journal } from './journal.js';

/** A journal written live to `path`; `close()` waits for the last write. */
export interface JournalFile {
  /** The builder it writes from (its `current` journal is the run's). */
  readonly builder: JournalBuilder;
  /** Waits until the journal on disk is the newest; rejects with the last write error, if any. */
  flush(): Promise<void>;
}

/**
 * Subscribes a journal builder to `events` and writes its journal to `path` after each phase.
 *
 * @example
 * const events = new RunEvents();
 * const file = writeJournalLive(events, './journal.json');
 * await runExperiment(experiment, { events });
 * await file.flush();
 */
export function writeJournalLive(events: RunEvents, path: string, builder = new JournalBuilder()): JournalFile {
  events.on(builder.listener);
  let next: Journal | undefined;
  let writing: Promise<void> | undefined;
  let failure: Error | undefined;

  const drain = async (): Promise<void> => {
    while (next) {
      const text = serialize(next);
      next = undefined;
      try {
        await writeFileAtomic(path, text);
        failure = undefined;
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
      }
    }
    writing = undefined;
  };
  builder.onPhase((journal) => {
    next = journal;
    writing ??= drain();
  });
  return {
    builder,
    async flush() {
      while (writing) await writing;
      if (failure) throw failure;
    },
  };
}

/** The journal as written: a run that has not ended says `running`. */
function serialize(journal: Journal): string {
  const view = journal.status === null ? { ...journal, status: 'running' } : journal;
  return `${JSON.stringify(view, null, 2)}\n`;
}
