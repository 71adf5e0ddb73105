/**
 * @module Reads a schedule: a turbulence schedule (YAML/JSON, errors at file:line:col), or — unchanged — a
 * kube-monkey `config.toml` or a Chaos Monkey `chaosmonkey.toml` (with its per-app JSON), mapped by `upstream/`.
 *
 *   monkey.yaml ──parse (yaml, positions)──▶ compileSchedule ──▶ Schedule
 *   config.toml ──smol-toml──▶ kube-monkey / Chaos Monkey mapping ──▶ schedule document ──▶ compileSchedule
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { loadExperiment, parseExperiment } from '../experiment/load.js';
import type { Problem } from '../experiment/schema-issues.js';
import { compileSchedule, scheduleError, type Schedule } from './validate.js';
import { fromUpstreamToml, type UpstreamOptions } from './upstream/index.js';
import { noPositions, type PositionIndex } from '../experiment/positions.js';
import { IcalError, parseIcal, type IcalEvent } from './ical.js';

/** Options of {@link loadSchedule}. */
export interface LoadScheduleOptions extends UpstreamOptions {
  /** Reads files (default `fs.readFile` as UTF-8); tests pass their own. */
  read?: (path: string) => Promise<string>;
  /** Told what an upstream config says that turbulence does not do. */
  warn?: (message: string) => void;
}

/**
 * Loads and validates a schedule file; throws `TURB_ERR_SCHEDULE_INVALID` / `TURB_ERR_LOAD_FAILED` (exit 2).
 *
 * @example
 * const schedule = await loadSchedule('examples/monkey/demo.yaml');
 */
export async function loadSchedule(path: string, opts: LoadScheduleOptions = {}): Promise<Schedule> {
  const read = opts.read ?? ((p: string) => readFile(p, 'utf8'));
  const source = resolve(path);
  const text = await readText(source, read);
  const ext = extname(source).toLowerCase();
  const name = basename(source, extname(source)).replace(/[^A-Za-z0-9._-]/g, '-') || 'monkey';
  if (ext === '.toml') {
    const { doc, warnings } = await fromUpstreamToml(text, source, { ...opts, read });
    for (const w of warnings) opts.warn?.(w);
    return compileSchedule(doc, { source, positions: noPositions, name });
  }
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new TurbulenceError(
      ErrorCodes.LOAD_FAILED,
      `cannot load "${path}": a schedule is .yaml, .yml, .json, or an upstream .toml`,
      {
        hint: 'rename the file, or give a kube-monkey config.toml / Chaos Monkey chaosmonkey.toml',
      },
    );
  }
  if (text.trim() === '') {
    throw new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, 'the schedule file is empty', {
      location: { file: source },
      hint: 'a schedule needs at least groups (see docs/monkey.md)',
    });
  }
  const loaded = parseExperiment(text, ext === '.json' ? 'json' : 'yaml', { source, baseDir: dirname(source) });
  const doc = loaded.experiment as unknown as Record<string, unknown>;
  const configMap = (doc.data as Record<string, unknown> | undefined)?.['config.toml'];
  if (doc.kind === 'ConfigMap' && typeof configMap === 'string') {
    // kube-monkey's own deployment form: its config.toml inside a ConfigMap.
    const { doc: mapped, warnings } = await fromUpstreamToml(configMap, `${source}#config.toml`, { ...opts, read });
    for (const w of warnings) opts.warn?.(w);
    return compileSchedule(mapped, { source, positions: noPositions, name });
  }
  const holidayEvents =
    typeof doc.holidaysFile === 'string' ? await icalHolidays(resolve(dirname(source), doc.holidaysFile), read) : [];
  const explicit = typeof doc.name === 'string' ? doc.name : name;
  const schedule = compileSchedule(doc, { source, positions: loaded.positions, name: explicit, holidayEvents });
  await checkExperiments(schedule, loaded.positions);
  return schedule;
}

/**
 * Experiment groups: the file is resolved against the schedule's folder and must load now (a missing or broken
 * experiment is an error at `monkey plan`/`run` start, not at 3 a.m.).
 */
async function checkExperiments(schedule: Schedule, positions: PositionIndex): Promise<void> {
  const problems: Problem[] = [];
  for (const group of schedule.groups) {
    if (group.experiment === undefined || /^https?:\/\//i.test(group.experiment)) continue;
    const file = resolve(dirname(schedule.source), group.experiment);
    try {
      await loadExperiment(file);
      group.experiment = file;
    } catch (err) {
      problems.push({
        path: ['groups', group.index, 'experiment'],
        message: `experiment ${JSON.stringify(group.experiment)} does not load: ${errorMessage(err)}`,
        hint: 'the path is relative to the schedule file; `turbulence validate FILE` shows what is wrong',
      });
    }
  }
  if (problems.length > 0) throw scheduleError(problems, { source: schedule.source, positions });
}

async function readText(path: string, read: (p: string) => Promise<string>): Promise<string> {
  try {
    return await read(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TurbulenceError(
      ErrorCodes.LOAD_FAILED,
      missing ? `"${path}" does not exist` : `cannot read "${path}": ${errorMessage(err)}`,
      {
        location: { file: path },
        cause: err,
        ...(missing ? { hint: 'check the path (it is relative to the current directory)' } : {}),
      },
    );
  }
}

/** The events of an iCal holidays file (`ical.ts`); a problem is an error at its line. */
async function icalHolidays(path: string, read: (p: string) => Promise<string>): Promise<IcalEvent[]> {
  const text = await readText(path, read);
  try {
    return parseIcal(text);
  } catch (err) {
    if (!(err instanceof IcalError)) throw err;
    throw new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, `holidaysFile: ${err.message}`, {
      location: { file: path, line: err.line, column: 1 },
      ...(err.hint ? { hint: err.hint } : {}),
    });
  }
}
