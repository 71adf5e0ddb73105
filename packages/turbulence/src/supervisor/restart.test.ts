import { describe, expect, it } from 'vitest';
import { decideRestart } from './restart.js';

const exit = (code: number | null, signal: string | null = null) => ({ code, signal });

describe('the restart policy', () => {
  it('never restarts with restart: never, whatever the exit', () => {
    expect(decideRestart({ restart: 'never', restartDelayMs: 100 }, exit(1), [], 0).restart).toBe(false);
    expect(decideRestart({ restart: 'never', restartDelayMs: 100 }, exit(null, 'SIGKILL'), [], 0).restart).toBe(false);
  });

  it('restarts on-failure after a non-zero code or a signal, not after a clean exit', () => {
    const p = { restart: 'on-failure' as const, restartDelayMs: 100 };
    expect(decideRestart(p, exit(0), [], 0).restart).toBe(false);
    expect(decideRestart(p, exit(3), [], 0)).toEqual({ restart: true, delayMs: 100, recent: [0] });
    expect(decideRestart(p, exit(null, 'SIGKILL'), [], 0).restart).toBe(true);
  });

  it('restarts always after a clean exit too', () => {
    expect(decideRestart({ restart: 'always', restartDelayMs: 100 }, exit(0), [], 0).restart).toBe(true);
  });

  it('doubles the delay with each recent restart, at most 4× the base', () => {
    const p = { restart: 'always' as const, restartDelayMs: 500 };
    const delays: number[] = [];
    let recent: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideRestart(p, exit(1), recent, 1000 + i);
      if (!d.restart) throw new Error('expected a restart');
      delays.push(d.delayMs);
      recent = d.recent;
    }
    expect(delays).toEqual([500, 1000, 2000, 2000]);
  });

  it('gives up after 5 restarts within 10 s and forgets restarts older than that', () => {
    const p = { restart: 'always' as const, restartDelayMs: 100 };
    const five = [1, 2, 3, 4, 5];
    expect(decideRestart(p, exit(1), five, 6)).toEqual({
      restart: false,
      gaveUp: '5 restarts within 10 s',
      recent: five,
    });
    const later = decideRestart(p, exit(1), five, 20_000);
    expect(later).toEqual({ restart: true, delayMs: 100, recent: [20_000] });
  });
});
