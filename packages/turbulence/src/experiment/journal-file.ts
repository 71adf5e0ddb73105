/**
 * @module Where the journal of a run goes on disk, and with which mode: a run that used secrets (an experiment
 * `secrets` block, `--var` or `--var-file`) may carry them into the journal, so that journal is readable by its
 * owner only (0600).
 */
import { open } from 'node:fs/promises';
import type { Experiment } from './types.js';

/** What the command line passed in besides the experiment. */
export interface SecretInputs {
  var?: readonly string[];
  varFile?: readonly string[];
}

/**
 * 0600 when the run used secrets, else undefined (the umask decides, as for any file).
 *
 * @example
 * journalFileMode(experiment, { var: ['db_password=x'] }); // 0o600
 */
export function journalFileMode(experiment: Experiment, inputs: SecretInputs): number | undefined {
  const secrets = experiment.secrets !== undefined && Object.keys(experiment.secrets).length > 0;
  const flags = (inputs.var?.length ?? 0) > 0 || (inputs.varFile?.length ?? 0) > 0;
  return secrets || flags ? 0o600 : undefined;
}

/**
 * Writes the journal text; with `mode`, the file has that mode before any byte is written (also when it existed
 * with a wider one).
 *
 * @example
 * await writeJournalFile('journal.json', text, journalFileMode(experiment, flags));
 */
export async function writeJournalFile(path: string, text: string, mode?: number): Promise<void> {
  const file = await open(path, 'w', mode ?? 0o666);
  try {
    if (mode !== undefined) await file.chmod(mode);
    await file.writeFile(text, 'utf8');
  } finally {
    await file.close();
  }
}
