/**
 * Writes a run's journal to disk as it is built: after every phase (each hypothesis, each activity start and end,
 * each fault, the rollbacks, the end), atomically (temporary file, fsync, rename), so a run killed at any moment
 * leaves a readable journal — with `status: "running"` when the run never ended (Chaos Toolkit's live status).
 * Writes are serialized and coalesced: while one is in flight, only the newest journal is written next.
 * A run that used secrets (an experiment `secrets` block, `--var` or `--var-file`) may carry them into the journal,
 * so that journal is readable by its owner only (0600, {@link journalFileMode}).
 */
import { writeFileAtomic } from '../faults/paths.js';
import type { RunEvents } from './events.js';
import { JournalBuilder } from './journal-builder.js';
import type { Journal } from './journal.js';
import type { Experiment } from './types.js';

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
 * const file = writeJournalLive(events, './journal.json', { mode: journalFileMode(experiment, flags) });
 * await runExperiment(experiment, { events });
 * await file.flush();
 */
export function writeJournalLive(
  events: RunEvents,
  path: string,
  options: { builder?: JournalBuilder; mode?: number | undefined } = {},
): JournalFile {
  const builder = options.builder ?? new JournalBuilder();
  const mode = options.mode ?? 0o644; // narrowed further by the umask, as for any file
  events.on(builder.listener);
  let next: Journal | undefined;
  let writing: Promise<void> | undefined;
  let failure: Error | undefined;

  const drain = async (): Promise<void> => {
    while (next) {
      const text = serialize(next);
      next = undefined;
      try {
        await writeFileAtomic(path, text, mode);
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

/** What the command line passed in besides the experiment. */
export interface SecretInputs {
  var?: readonly string[];
  varFile?: readonly string[];
}

/**
 * 0600 when the run used secrets, else undefined (the default mode and the umask decide, as for any file).
 *
 * @example
 * journalFileMode(experiment, { var: ['db_password=x'] }); // 0o600
 */
export function journalFileMode(experiment: Experiment, inputs: SecretInputs): number | undefined {
  const secrets = experiment.secrets !== undefined && Object.keys(experiment.secrets).length > 0;
  const flags = (inputs.var?.length ?? 0) > 0 || (inputs.varFile?.length ?? 0) > 0;
  return secrets || flags ? 0o600 : undefined;
}
