/**
 * The run's seeded random number generator. Every random choice a run makes (targets, toxicity coin flips,
 * schedules, jitter) comes from one {@link Rng} created from the run's seed, so `--seed N` replays them.
 *
 * Independent consumers take a {@link Rng.fork | fork} named after themselves: the fork's stream depends only on
 * the seed and the name, so adding a consumer does not shift the choices of the others.
 *
 * The generator is xoroshiro128+ (Blackman and Vigna), whose two 64-bit state words are filled by splitmix64 from
 * the whole seed, as its authors recommend: nearby seeds (0, 1, 2, …) give unrelated streams from the first draw
 * on. 64-bit arithmetic is done on pairs of 32-bit halves (no BigInt on the hot path).
 *
 *   seed ─▶ splitmix64 ─▶ s0, s1 ─▶ xoroshiro128+ ─▶ top 53 bits ─▶ next() ∈ [0, 1)
 *   seed, name ─▶ forkSeed (FNV-1a 64 of name, splitmix64 with the seed) ─▶ new Rng
 */

const TWO32 = 0x1_0000_0000;
const TWO53 = 2 ** 53;

/** A seeded, forkable random number generator. */
export class Rng {
  readonly seed: number;
  private s0h: number;
  private s0l: number;
  private s1h: number;
  private s1l: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    this.seed = seed;
    const sm = new SplitMix64(Math.floor(seed / TWO32) >>> 0, seed >>> 0);
    sm.next();
    this.s0h = sm.h;
    this.s0l = sm.l;
    sm.next();
    this.s1h = sm.h;
    this.s1l = sm.l;
    // xoroshiro's state must not be all zero; splitmix64 never gives two zero words in a row, but be explicit.
    if ((this.s0h | this.s0l | this.s1h | this.s1l) === 0) this.s0l = 1;
  }

  /** A float in [0, 1): the top 53 bits of one xoroshiro128+ output (its low bits are the weak ones). */
  next(): number {
    const { s0h, s0l } = this;
    let { s1h, s1l } = this;
    // result = s0 + s1
    const lo = s0l + s1l;
    const hi = (s0h + s1h + (lo >= TWO32 ? 1 : 0)) >>> 0;
    const out = hi * 2 ** 21 + ((lo >>> 0) >>> 11);
    // s1 ^= s0; s0 = rotl(s0, 24) ^ s1 ^ (s1 << 16); s1 = rotl(s1, 37)
    s1h ^= s0h;
    s1l ^= s0l;
    this.s0h = (((s0h << 24) | (s0l >>> 8)) ^ s1h ^ ((s1h << 16) | (s1l >>> 16))) >>> 0;
    this.s0l = (((s0l << 24) | (s0h >>> 8)) ^ s1l ^ (s1l << 16)) >>> 0;
    this.s1h = ((s1l << 5) | (s1h >>> 27)) >>> 0;
    this.s1l = ((s1h << 5) | (s1l >>> 27)) >>> 0;
    return out / TWO53;
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

  /** An independent generator whose stream depends only on this seed and `name` (its seed is {@link forkSeed}). */
  fork(name: string): Rng {
    return new Rng(forkSeed(this.seed, name));
  }
}

/**
 * The seed of `new Rng(seed).fork(name)`: a 53-bit safe integer from the whole seed and the whole name (FNV-1a 64
 * of the name's UTF-16 code units, xored into the seed, through splitmix64), so `new Rng(forkSeed(s, n))` replays
 * the fork.
 */
export function forkSeed(seed: number, name: string): number {
  // FNV-1a 64: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
  let h = 0xcbf29ce4;
  let l = 0x84222325;
  for (let i = 0; i < name.length; i++) {
    l = (l ^ name.charCodeAt(i)) >>> 0;
    // (h, l) * 0x1_000001b3 = (h, l) * 0x1b3 + (l << 32)
    const p = mul64(h, l, 0x1, 0x1b3);
    h = p.h;
    l = p.l;
  }
  const sm = new SplitMix64((h ^ (Math.floor(seed / TWO32) >>> 0)) >>> 0, (l ^ (seed >>> 0)) >>> 0);
  sm.next();
  return (sm.h & 0x1f_ffff) * TWO32 + sm.l;
}

/** A seed for a new run when none was given: 31 random bits, printable and easy to retype. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x7fff_ffff);
}

/**
 * FNV-1a of `name`, mixed with the low 31 bits of the parent seed; stays within 31 bits so it prints and parses
 * cleanly. A stable 31-bit hash (used for names and per-record draws); {@link Rng.fork} uses {@link forkSeed}.
 */
export function deriveSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed & 0x7fff_ffff);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fff_ffff;
}

/** The splitmix64 generator (Steele, Lea and Flood), used only to seed: its state and last output as 32-bit halves. */
export class SplitMix64 {
  /** High and low halves of the last output. */
  h = 0;
  l = 0;
  private xh: number;
  private xl: number;

  constructor(hi: number, lo: number) {
    this.xh = hi >>> 0;
    this.xl = lo >>> 0;
  }

  /** Advances; the output is in `h`, `l`. */
  next(): void {
    // x += 0x9e3779b97f4a7c15
    const lo = this.xl + 0x7f4a7c15;
    this.xl = lo >>> 0;
    this.xh = (this.xh + 0x9e3779b9 + (lo >= TWO32 ? 1 : 0)) >>> 0;
    const zh = this.xh;
    const zl = this.xl;
    // z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9
    let p = mul64(zh ^ (zh >>> 30), zl ^ ((zl >>> 30) | (zh << 2)), 0xbf58476d, 0x1ce4e5b9);
    const yh = p.h;
    const yl = p.l;
    // z = (z ^ (z >>> 27)) * 0x94d049bb133111eb
    p = mul64(yh ^ (yh >>> 27), yl ^ ((yl >>> 27) | (yh << 5)), 0x94d049bb, 0x133111eb);
    const wh = p.h;
    const wl = p.l;
    // z ^ (z >>> 31)
    this.h = (wh ^ (wh >>> 31)) >>> 0;
    this.l = (wl ^ ((wl >>> 31) | (wh << 1))) >>> 0;
  }
}

const product = { h: 0, l: 0 };

/** (ah, al) × (bh, bl) mod 2^64 as 32-bit halves (a shared result object: read it before the next call). */
export function mul64(ah: number, al: number, bh: number, bl: number): { h: number; l: number } {
  al >>>= 0;
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const mid = (p00 >>> 16) + ((a0 * b1) & 0xffff) + ((a1 * b0) & 0xffff);
  const hiOfLow =
    a1 * b1 + Math.floor((a0 * b1) / 0x10000) + Math.floor((a1 * b0) / 0x10000) + Math.floor(mid / 0x10000);
  product.l = ((mid & 0xffff) * 0x10000 + (p00 & 0xffff)) >>> 0;
  product.h = (hiOfLow + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  return product;
}
