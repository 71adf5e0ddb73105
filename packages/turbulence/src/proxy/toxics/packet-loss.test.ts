import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { dropProbability } from './packet-loss.js';

function simulate(loss_rate: number, correlation: number, n = 200_000): { rate: number; meanBurst: number } {
  const rng = new Rng(5);
  let dropped = false;
  let drops = 0;
  let bursts = 0;
  for (let i = 0; i < n; i++) {
    const next = rng.chance(dropProbability({ loss_rate, correlation }, dropped));
    if (next) drops++;
    if (next && !dropped) bursts++;
    dropped = next;
  }
  return { rate: drops / n, meanBurst: drops / Math.max(1, bursts) };
}

describe('packet_loss', () => {
  it('keeps the long-run loss rate whatever the correlation, with longer bursts when correlated', () => {
    const independent = simulate(0.2, 0);
    const bursty = simulate(0.2, 0.8);
    expect(independent.rate).toBeCloseTo(0.2, 1);
    expect(bursty.rate).toBeCloseTo(0.2, 1);
    expect(bursty.meanBurst).toBeGreaterThan(independent.meanBurst * 3);
  });
});
