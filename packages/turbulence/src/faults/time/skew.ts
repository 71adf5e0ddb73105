/**
 * `time.skew`: moves the wall clock of a process turbulence started under libfaketime — a lab service with
 * `faketime: true`, or any process started with `faketimeEnv(file)` (target `{ clockFile: file }`). The offset
 * takes effect at the process's next clock read, without a restart; revert sets it back to +0.
 *
 * @example
 * { kind: 'time.skew', target: { lab: 'etcd', host: 'n1', service: 'etcd' }, params: { offset: '-30s' } }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import { readLabState } from '../../lab/state.js';
import { resolveProcessTargets } from '../limit/targets.js';
import { libfaketimePath } from './faketime.js';
import { skewParams as params } from './schema.js';

type Params = z.output<typeof params>;

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

const write = (file: string, seconds: number): void => writeFileSync(file, `${seconds >= 0 ? '+' : ''}${seconds}\n`);

export const skewDriver: FaultDriver<Params> = {
  kind: 'time.skew',
  summary: 'move the wall clock of a process started under libfaketime (lab services with faketime: true)',
  params,
  async resolveTargets(query) {
    if (query && typeof query.clockFile === 'string') {
      const f = query.clockFile;
      return [{ id: `clock:${f}`, type: 'clock', name: f, attributes: { clockFile: f } }];
    }
    const targets = await resolveProcessTargets(query);
    for (const t of targets) clockFileOf(t);
    return targets;
  },
  check: () =>
    Promise.resolve(libfaketimePath() ? { ok: true } : { ok: false, reason: 'needs libfaketime (Debian: faketime)' }),
  inject(target, p) {
    return Promise.resolve().then(() => {
      const file = clockFileOf(target);
      write(file, p.offset);
      return { clockFile: file };
    });
  },
  revert(fault) {
    try {
      write(clockFileOf(fault.target), 0);
    } catch {
      // the lab is gone, and its clock file with it
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
