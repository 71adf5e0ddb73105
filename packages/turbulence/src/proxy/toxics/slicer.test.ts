import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { slicePoints, slicer } from './slicer.js';

describe('slicer cuts', () => {
  it('covers the chunk with contiguous pieces of average_size ± size_variation', () => {
    const rng = new Rng(1);
    for (const length of [1, 99, 100, 1000, 32 * 1024]) {
      const points: number[] = [];
      slicePoints(length, { average_size: 100, size_variation: 30, delay: 0 }, rng, points);
      expect(points[0]).toBe(0);
      expect(points[points.length - 1]).toBe(length);
      for (let i = 0; i < points.length; i += 2) {
        const size = points[i + 1]! - points[i]!;
        expect(size).toBeGreaterThan(0);
        if (length > 130) expect(size).toBeLessThanOrEqual(130);
        if (i > 0) expect(points[i]).toBe(points[i - 1]);
      }
    }
  });
});

describe('slicer stage', () => {
  const run = (attributes: { average_size: number; size_variation: number; delay: number }, length: number) =>
    new Promise<{ sizes: number[]; times: number[] }>((resolve) => {
      const sizes: number[] = [];
      const times: number[] = [];
      const rng = new Rng(7);
      const parsed = slicer.attributes.parse(attributes);
      const stage = slicer.create(
        parsed,
        {
          write: (data) => {
            sizes.push(data.length);
            times.push(performance.now());
          },
          end: () => resolve({ sizes, times }),
        },
        { direction: 'downstream', rng: () => rng, close() {}, reset() {}, dropped() {} },
      );
      stage.write(Buffer.alloc(length, 1), performance.now());
      stage.end();
    });

  it('never writes a piece larger than average + variation, one piece per delay even when timers run late', async () => {
    const { sizes, times } = await run({ average_size: 10, size_variation: 5, delay: 1000 }, 200);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(15);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(0.9);
  });

  it('accepts size_variation == average_size (as Toxiproxy does) and refuses a larger one', async () => {
    const { sizes } = await run({ average_size: 10, size_variation: 10, delay: 0 }, 1000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
    expect(slicer.attributes.safeParse({ average_size: 10, size_variation: 11 }).success).toBe(false);
  });
});
