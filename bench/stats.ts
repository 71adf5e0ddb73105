// Small statistics shared by the benchmarks: the median and a seeded bootstrap interval of it.

/** The median of `xs` (the mean of the two middle values when the count is even; NaN when empty). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** A seeded PRNG for the bootstrap, so a rerun on the same data gives the same interval. */
export function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 95 % percentile-bootstrap interval of the median of `xs`. */
export function bootstrapMedian(xs: readonly number[], resamples = 4000): [number, number] {
  const rand = mulberry(42);
  const meds: number[] = [];
  const sample = new Array<number>(xs.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < xs.length; i++) sample[i] = xs[Math.floor(rand() * xs.length)] ?? NaN;
    meds.push(median(sample));
  }
  meds.sort((x, y) => x - y);
  return [meds[Math.floor(resamples * 0.025)] ?? NaN, meds[Math.floor(resamples * 0.975)] ?? NaN];
}
