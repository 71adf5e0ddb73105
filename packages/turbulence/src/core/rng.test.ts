import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { Rng, SplitMix64, forkSeed, mul64 } from './rng.js';

const M64 = (1n << 64n) - 1n;

/** The reference: splitmix64 and xoroshiro128+ (24, 16, 37) on BigInt, straight from Vigna's C. */
function splitmix(x: bigint): [bigint, bigint] {
  const nx = (x + 0x9e3779b97f4a7c15n) & M64;
  let z = nx;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return [nx, z ^ (z >> 31n)];
}
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (64n - k))) & M64;
function reference(seed: number, n: number): number[] {
  const [x1, s0init] = splitmix(BigInt.asUintN(64, BigInt(seed)));
  const [, s1init] = splitmix(x1);
  let s0 = s0init;
  let s1 = s1init;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number(((s0 + s1) & M64) >> 11n) / 2 ** 53);
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & M64);
    s1 = rotl(s1, 37n);
  }
  return out;
}

/** Pearson's chi-square of `xs` (in [0, 1)) over `bins` equal bins. */
function chiSquare(xs: number[], bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.floor(x * bins)]! += 1;
  const expected = xs.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

/** Kolmogorov-Smirnov distance of `xs` from the uniform distribution on [0, 1). */
function ks(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  let d = 0;
  sorted.forEach((x, i) => (d = Math.max(d, (i + 1) / sorted.length - x, x - i / sorted.length)));
  return d;
}

/** Uniform at p = 0.001: chi-square with 19 degrees of freedom < 43.82, and KS distance < 1.95 / sqrt(n). */
function assertUniform(xs: number[]): void {
  expect(chiSquare(xs, 20)).toBeLessThan(43.82);
  expect(ks(xs)).toBeLessThan(1.95 / Math.sqrt(xs.length));
}

const seeds = Array.from({ length: 1000 }, (_, i) => i);

describe('Rng', () => {
  it('is xoroshiro128+ seeded by splitmix64 from the whole seed (checked against a BigInt reference)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const rng = new Rng(seed);
        expect(Array.from({ length: 5 }, () => rng.next())).toEqual(reference(seed, 5));
      }),
      { numRuns: 300 },
    );
    for (const seed of [0, 1, -1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const rng = new Rng(seed);
      expect([rng.next(), rng.next()]).toEqual(reference(seed, 2));
    }
  });

  it('multiplies 64-bit halves like BigInt', () => {
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(
      fc.property(u32, u32, u32, u32, (ah, al, bh, bl) => {
        const a = (BigInt(ah) << 32n) | BigInt(al);
        const b = (BigInt(bh) << 32n) | BigInt(bl);
        const p = mul64(ah, al, bh, bl);
        expect((BigInt(p.h) << 32n) | BigInt(p.l)).toBe((a * b) & M64);
      }),
      { numRuns: 2000 },
    );
    const sm = new SplitMix64(0, 0);
    sm.next();
    expect((BigInt(sm.h) << 32n) | BigInt(sm.l)).toBe(splitmix(0n)[1]);
  });

  it('gives uniform first draws for the seeds 0..999', () => {
    assertUniform(seeds.map((s) => new Rng(s).next()));
    assertUniform(seeds.map((s) => new Rng(s).int(2 ** 20) / 2 ** 20));
  });

  it('gives uniform first draws for forks: one name over seeds 0..999, and names 0..999 of one seed', () => {
    assertUniform(seeds.map((s) => new Rng(s).fork('faults').next()));
    assertUniform(seeds.map((n) => new Rng(7).fork(String(n)).next()));
    assertUniform(seeds.map((n) => new Rng(7).fork(`2026-12-${n}/web`).next()));
  });

  it('has a uniformity check that rejects the generator it replaced (pure-rand xoroshiro128+ from a 32-bit seed)', () => {
    const old = (seed: number): number => {
      const gen = xoroshiro128plus((seed ^ Math.floor(seed / 2 ** 32)) | 0);
      const hi = gen.next() >>> 0;
      const lo = gen.next() >>> 11;
      return (hi * 2 ** 21 + lo) / 2 ** 53;
    };
    const first = seeds.map(old);
    expect(chiSquare(first, 20) > 43.82 || ks(first) > 1.95 / Math.sqrt(1000)).toBe(true);
  });

  it('replays: the same seed (and fork name) gives the same stream, different ones differ', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeInteger(), fc.string(), (a, b, name) => {
        const draw = (r: Rng): number[] => Array.from({ length: 4 }, () => r.next());
        expect(draw(new Rng(a))).toEqual(draw(new Rng(a)));
        expect(draw(new Rng(a).fork(name))).toEqual(draw(new Rng(forkSeed(a, name))));
        if (a !== b) expect(draw(new Rng(a))).not.toEqual(draw(new Rng(b)));
        expect(draw(new Rng(a).fork(name))).not.toEqual(draw(new Rng(a).fork(`${name}x`)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps forks apart for seeds that differ only above bit 31', () => {
    expect(new Rng(0).fork('x').next()).not.toBe(new Rng(2 ** 31).fork('x').next());
    expect(new Rng(5).fork('x').next()).not.toBe(new Rng(5 + 2 ** 40).fork('x').next());
  });

  it('keeps int, chance, pick, shuffle and between in range', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(7);
      expect(Number.isInteger(n) && n >= 0 && n < 7).toBe(true);
      const x = rng.between(-2, 5);
      expect(x >= -2 && x < 5).toBe(true);
    }
    expect(rng.chance(0)).toBe(false);
    expect(rng.chance(1)).toBe(true);
    expect(rng.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    expect(() => rng.pick([])).toThrow(/empty/);
    expect(() => new Rng(1.5)).toThrow(/safe integer/);
  });
});
