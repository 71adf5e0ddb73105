/**
 * @module Schedule generation, pure: the systematic phase crashes each instance at each failpoint at each of the
 * first `hits` hits; the random phase arms every failpoint of one random instance with probability p, the coin
 * flips seeded by the schedule's seed. A schedule is fully described by its replay token
 * `SEED:INSTANCE:FAILPOINTS`, e.g. `1234:b:prepare.acked=1*panic`.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Schedule } from './types.js';

/** What the generators need. */
export interface ScheduleInput {
  instances: readonly string[];
  failpoints: readonly string[];
  seed: number;
  hits: number;
  random: number;
  probability: number;
  task: string;
}

/** `k`-th hit (1-based) of a failpoint: let k-1 hits pass, then act once. */
export function atHit(task: string, k: number): string {
  return k <= 1 ? `1*${task}` : `${k - 1}*off->1*${task}`;
}

/**
 * The systematic schedules, in a fixed order (instance, failpoint, hit).
 *
 * @example
 * systematic({ instances: ['a'], failpoints: ['x'], seed: 1, hits: 2, random: 0, probability: 0.2, task: 'panic' });
 * // [{ id: 'sys-1', instance: 'a', failpoints: 'x=1*panic', ... }, { id: 'sys-2', failpoints: 'x=1*off->1*panic', ... }]
 */
export function systematic(input: ScheduleInput): Schedule[] {
  const rng = new Rng(input.seed).fork('systematic');
  const out: Schedule[] = [];
  for (const instance of input.instances) {
    for (const fp of input.failpoints) {
      for (let k = 1; k <= input.hits; k++) {
        const seed = rng.int(0x7fff_ffff);
        out.push({
          id: `sys-${out.length + 1}`,
          phase: 'systematic',
          seed,
          instance,
          failpoints: `${fp}=${atHit(input.task, k)}`,
        });
      }
    }
  }
  return out;
}

/** The random schedules: one instance, every failpoint armed with `p%1*task`. */
export function randomSchedules(input: ScheduleInput): Schedule[] {
  const rng = new Rng(input.seed).fork('random');
  const pct = Number((input.probability * 100).toFixed(4));
  const failpoints = input.failpoints.map((fp) => `${fp}=${pct}%1*${input.task}`).join(';');
  return Array.from({ length: input.random }, (_, i) => ({
    id: `rnd-${i + 1}`,
    phase: 'random' as const,
    seed: rng.int(0x7fff_ffff),
    instance: rng.pick(input.instances),
    failpoints,
  }));
}

/** The replay token of a schedule. */
export function replayToken(s: Schedule): string {
  return `${s.seed}:${s.instance}:${s.failpoints}`;
}

/**
 * Parses a replay token back into a schedule.
 *
 * @example
 * parseReplay('1234:b:prepare.acked=1*panic'); // { seed: 1234, instance: 'b', failpoints: 'prepare.acked=1*panic', ... }
 */
export function parseReplay(token: string): Schedule {
  const m = /^(\d+):([^:]+):(.+)$/s.exec(token.trim());
  if (!m) {
    throw new TurbulenceError(ErrorCodes.USAGE, `replay token "${token}" is not SEED:INSTANCE:FAILPOINTS`, {
      hint: "copy it from the explorer's report, e.g. 1234:b:prepare.acked=1*panic",
    });
  }
  return {
    id: 'replay',
    phase: 'replay',
    seed: Number(m[1]),
    instance: m[2] as string,
    failpoints: m[3] as string,
  };
}
