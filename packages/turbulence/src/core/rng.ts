/**
 * The run's seeded random number generator. Every random choice a run makes (targets, toxicity coin flips,
 * schedules, jitter) comes from one {@link Rng} created from the run's seed, so `--seed N` replays them.
 *
 * Independent consumers take a {@link Rng.fork | fork} named after themselves: the fork's stream depends only on
 * the seed and the name, so adding a consumer does not shift the choices of the others.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

const UINT32 = 0x1_0000_0000;

/** A seeded, forkable random number generator. */
export class Rng {
  readonly seed: number;
  private gen: RandomGenerator;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    this.seed = seed;
    this.gen = xoroshiro128plus((seed ^ Math.floor(seed / UINT32)) | 0);
  }

  /** A float in [0, 1). */
  next(): number {
    const hi = this.uint32();
    const lo = this.uint32() >>> 11;
    return (hi * 2 ** 21 + lo) / 2 ** 53;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability `p` (0..1). `p <= 0` never, `p >= 1` always, without consuming when certain. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** A uniform float in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** An independent generator whose stream depends only on this seed and `name`. */
  fork(name: string): Rng {
    return new Rng(deriveSeed(this.seed, name));
  }

  private uint32(): number {
    return this.gen.next() >>> 0;
  }
}

/** A seed for a new run when none was given: 31 random bits, printable and easy to retype. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x7fff_ffff);
}

/** FNV-1a of `name`, mixed with the parent seed; stays within 31 bits so it prints and parses cleanly. */
export function deriveSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed & 0x7fff_ffff);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fff_ffff;
}
