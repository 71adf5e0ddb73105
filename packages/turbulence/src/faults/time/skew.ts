/**
 * `time.skew`: moves the wall clock of a process turbulence started under libfaketime — a lab service with
 * `faketime: true`, or any process started with `faketimeEnv(file)` (target `{ clockFile: file }`). The offset
 * takes effect at the process's next clock read, without a restart; revert sets it back to +0.
 *
 * A `clockFile` must already be a clock file: a regular file (not a symlink) holding an offset such as `+0`. A path
 * that holds anything else is refused rather than overwritten, and so is a path that does not exist (a typo in the
 * name would otherwise "succeed" while the process's clock never moves). Writes never create or follow a link.
 *
 * @example
 * { kind: 'time.skew', target: { lab: 'etcd', host: 'n1', service: 'etcd' }, params: { offset: '-30s' } }
 */
import { closeSync, constants, existsSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import { readLabState } from '../../lab/state.js';
import { needsTool } from '../../os/tools.js';
import { isClockQuery, resolveClocks } from '../../targets/clock.js';
import { resolveProcessTargets } from '../../targets/lab-service.js';
import { libfaketimePath } from '../../os/faketime.js';
import { skewParams as params } from './schema.js';

type Params = z.output<typeof params>;

/** What libfaketime reads as a relative offset, and what {@link write} writes: `+0`, `-30`, `+3600`, `+2h`. */
const CLOCK_TEXT = /^[+-]?\d+(\.\d+)?[smhdy]?\s*$/;

const refuse = (message: string, hint: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.TARGET_REFUSED, message, { hint });

/**
 * Throws unless `file` is an existing faketime clock file: a regular file whose content is one offset. Anything
 * else (a missing directory, a missing file, a symlink, a directory, a file with other content) is refused.
 */
export function checkClockFile(file: string): void {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) {
    const dir = dirname(file);
    if (!existsSync(dir)) {
      throw refuse(`clock file ${file}: directory ${dir} does not exist`, 'check the path for a typo');
    }
    throw refuse(
      `clock file ${file} does not exist`,
      'name the file the process was started with (FAKETIME_TIMESTAMP_FILE of faketimeEnv); create it with +0 first',
    );
  }
  if (st.isSymbolicLink()) throw refuse(`clock file ${file} is a symlink`, 'name the clock file itself');
  if (!st.isFile()) throw refuse(`clock file ${file} is not a regular file`, 'name the clock file itself');
  const text = st.size <= 64 ? readFileSync(file, 'utf8') : '';
  if (!CLOCK_TEXT.test(text)) {
    throw refuse(
      `${file} is not a faketime clock file (it should hold one offset such as +0); refusing to overwrite it`,
      'name the file the process was started with (FAKETIME_TIMESTAMP_FILE of faketimeEnv)',
    );
  }
}

/** The offset file of a target. */
function clockFileOf(target: Target): string {
  const a = target.attributes;
  if (typeof a.clockFile === 'string') return a.clockFile;
  const lab = typeof a.lab === 'string' ? readLabState(a.lab) : undefined;
  const file = lab?.hosts.find((h) => h.name === a.host)?.services[typeof a.service === 'string' ? a.service : '']
    ?.clockFile;
  if (file) return file;
  throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${target.name} was not started under libfaketime`, {
    hint: 'set `faketime: true` on the lab service (or start the process with faketimeEnv(file))',
  });
}

/** Rewrites an existing clock file in place: never creates a file, never follows a symlink. */
function write(file: string, seconds: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  try {
    writeSync(fd, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  } finally {
    closeSync(fd);
  }
}

export const skewDriver: FaultDriver<Params> = {
  kind: 'time.skew',
  summary: 'move the wall clock of a process started under libfaketime (lab services with faketime: true)',
  params,
  targets: ['process', 'clock'],
  async resolveTargets(query) {
    if (isClockQuery(query)) {
      const clocks = await resolveClocks({ ...query, clockFile: resolve(query.clockFile) });
      for (const c of clocks) checkClockFile(c.name);
      return clocks;
    }
    const targets = await resolveProcessTargets(query);
    for (const t of targets) clockFileOf(t);
    return targets;
  },
  check: () => Promise.resolve(libfaketimePath() ? { ok: true } : { ok: false, reason: needsTool('libfaketime') }),
  // One offset per clock file: a second skew would overwrite the first, and the first's revert would zero both.
  exclusive: (target) => `clock:${clockFileOf(target)}`,
  inject(target, p) {
    return Promise.resolve().then(() => {
      const file = clockFileOf(target);
      checkClockFile(file);
      write(file, p.offset);
      return { clockFile: file };
    });
  },
  revert(fault) {
    try {
      const file = clockFileOf(fault.target);
      checkClockFile(file);
      write(file, 0);
    } catch {
      // the lab is gone, and its clock file with it (or the file is no longer a clock file: leave it alone)
    }
    return Promise.resolve();
  },
  verify(fault) {
    return Promise.resolve().then(() => {
      const text = readFileSync(clockFileOf(fault.target), 'utf8').trim();
      return Number(text) === fault.params.offset;
    });
  },
};
