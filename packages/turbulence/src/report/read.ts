/**
 * Reads journal files for the reports: a clear error (file:line:col) for truncated or invalid JSON, and for a file
 * that is JSON but not a journal.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { buildRunModel, type RunModel } from './model.js';
import { isMonkeyLog, parseMonkeyLog, type MonkeyModel } from './monkey.js';

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Parses a journal's text; `source` names it in errors.
 *
 * @example
 * parseJournalText('{"experiment":', 'j.json'); // throws: j.json:1:15: truncated JSON ...
 */
export function parseJournalText(text: string, source: string): RunModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const truncated = /end of JSON input|Unterminated|Expected.*after/i.test(message) && !at;
    const offset = at ? Number(at[1]) : text.length;
    throw new TurbulenceError(
      ErrorCodes.LOAD_FAILED,
      truncated || offset >= text.trimEnd().length ? `truncated JSON (${message})` : `invalid JSON: ${message}`,
      {
        location: { file: source, ...position(text, offset) },
        hint: 'a run killed while its journal was written leaves a complete file (writes are atomic); was this file copied or cut?',
      },
    );
  }
  return buildRunModel(value, source);
}

/** Reads one input file; a read error becomes LOAD_FAILED with the file and `hint`. */
async function readInput(path: string, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read ${path}: ${(err as Error).message}`, {
      location: { file: path },
      hint,
    });
  }
}

/** Reads and parses journal files, in order. */
export async function readJournals(paths: readonly string[]): Promise<RunModel[]> {
  const out: RunModel[] = [];
  for (const path of paths) {
    const text = await readInput(
      path,
      'pass the path of a journal.json (turbulence run writes ./journal.json by default)',
    );
    out.push(parseJournalText(text, path));
  }
  return out;
}

/**
 * Reads the report's inputs in order: journals, and monkey logs (`events.jsonl`, or a monkey's directory
 * `$TURBULENCE_HOME/monkey/<name>`), told apart by their content.
 */
export async function readReportInputs(
  paths: readonly string[],
): Promise<{ runs: RunModel[]; monkeys: MonkeyModel[] }> {
  const runs: RunModel[] = [];
  const monkeys: MonkeyModel[] = [];
  for (const given of paths) {
    const path = (await stat(given).catch(() => undefined))?.isDirectory() ? join(given, 'events.jsonl') : given;
    const text = await readInput(
      path,
      'pass a journal.json (turbulence run writes ./journal.json by default) or a monkey events.jsonl',
    );
    if (isMonkeyLog(text)) monkeys.push(parseMonkeyLog(text, path));
    else runs.push(parseJournalText(text, path));
  }
  return { runs, monkeys };
}
