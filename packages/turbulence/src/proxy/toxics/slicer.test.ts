import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { slicePoints } from './slicer.js';

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
