/**
 * @module A tiny seeded PRNG (mulberry32) so probability terms replay under `TURBULENCE_SEED`. The package cannot
 * depend on turbulence's Rng; 32 bits of state is plenty for coin flips.
 */

/** A function returning floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a fast 32-bit generator with a good enough distribution for coin flips.
 *
 * @example
 * const r = mulberry32(42); r(); // 0.6011037519201636
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 32-bit seed derived from a run seed and a name (FNV-1a), so each failpoint has its own stream: the coin flips
 * of one failpoint do not depend on how often the others were hit.
 */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 0x1_0000_0000)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
