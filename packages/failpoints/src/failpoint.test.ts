import { afterEach, describe, expect, it } from 'vitest';
import { failpoint, failpointAsync } from './failpoint.js';
import { configure, get, list, remove, removeAll, setSeed } from './registry.js';
import { guardFailpoint, withFailpoints } from './scope.js';

afterEach(() => removeAll());

describe('failpoint()', () => {
  it('does nothing when the failpoint is off', () => {
    expect(failpoint('nothing.here')).toBeUndefined();
    expect(get('nothing.here')).toBeUndefined();
  });

  it('returns the argument of a return term, and an empty string for a bare return', () => {
    configure('a', 'return(42)');
    configure('b', 'return');
    expect(failpoint('a')).toBe('42');
    expect(failpoint('b')).toBe('');
  });

  it('throws an errno-style error for error(CODE)', () => {
    configure('disk', 'error(EIO)');
    let caught: NodeJS.ErrnoException | undefined;
    try {
      failpoint('disk');
    } catch (err) {
      caught = err as NodeJS.ErrnoException;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught?.code).toBe('EIO');
    expect(caught?.errno).toBe(-5);
    expect(caught?.message).toMatch(/^EIO: i\/o error \(failpoint disk\)$/);
  });

  it('uses the message given to error(CODE, message)', () => {
    configure('custom', 'error(E_BUSINESS, quota exceeded)');
    expect(() => failpoint('custom')).toThrow('quota exceeded');
  });

  it('fires a counted term only that many times', () => {
    configure('c', '2*return(x)');
    expect([failpoint('c'), failpoint('c'), failpoint('c')]).toEqual(['x', 'x', undefined]);
    expect(get('c')).toMatchObject({ hits: 3, fired: 2 });
  });

  it('falls through to the next term when a term does not fire', () => {
    configure('chain', '1*off->return(second)');
    expect(failpoint('chain')).toBeUndefined();
    expect(failpoint('chain')).toBe('second');
  });

  it('blocks the thread for sleep(ms)', () => {
    configure('slow', 'sleep(60)');
    const t0 = performance.now();
    failpoint('slow');
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(55);
    expect(took).toBeLessThan(400);
  });

  it('fires a probability term about as often as asked', () => {
    setSeed(7);
    configure('p', '25%return');
    let fired = 0;
    for (let i = 0; i < 4000; i++) if (failpoint('p') !== undefined) fired++;
    expect(fired).toBeGreaterThan(850);
    expect(fired).toBeLessThan(1150);
  });

  it('replays the same coin flips under the same seed', () => {
    const run = (seed: number): string => {
      setSeed(seed);
      configure('coin', '50%return(1)');
      return Array.from({ length: 64 }, () => (failpoint('coin') === undefined ? '0' : '1')).join('');
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });

  it('calls a callback on every hit', () => {
    const seen: string[] = [];
    configure('cb', (name) => seen.push(name));
    failpoint('cb');
    failpoint('cb');
    expect(seen).toEqual(['cb', 'cb']);
  });

  it('stops acting once removed', () => {
    configure('gone', 'return(x)');
    expect(remove('gone')).toBe(true);
    expect(failpoint('gone')).toBeUndefined();
    expect(remove('gone')).toBe(false);
    expect(list()).toEqual([]);
  });
});

describe('failpointAsync()', () => {
  it('waits for delay(ms) without blocking the event loop', async () => {
    configure('d', 'delay(80)');
    let timerRan = false;
    setTimeout(() => (timerRan = true), 5);
    const t0 = performance.now();
    await failpointAsync('d');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(timerRan).toBe(true);
  });

  it('blocks the event loop for sleep(ms), even in the async form', async () => {
    configure('s', 'sleep(40)');
    const t0 = performance.now();
    const pending = failpointAsync('s'); // returns only after the synchronous sleep
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    await pending;
  });

  it('rejects with the injected error', async () => {
    configure('e', 'error(ENOSPC)');
    await expect(failpointAsync('e')).rejects.toMatchObject({ code: 'ENOSPC', errno: -28 });
  });

  it('pauses until the failpoint is removed', async () => {
    configure('gate', 'pause');
    let resumed = false;
    const waiting = failpointAsync('gate').then(() => (resumed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(resumed).toBe(false);
    remove('gate');
    await waiting;
    expect(resumed).toBe(true);
  });

  it('yields one turn of the event loop for yield', async () => {
    configure('y', 'yield');
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await failpointAsync('y');
    order.push('after');
    expect(order).toEqual(['immediate', 'after']);
  });
});

describe('scoped configuration', () => {
  it('puts back the previous configuration when a guard is released', () => {
    configure('g', 'return(old)');
    const guard = guardFailpoint('g', 'return(new)');
    expect(failpoint('g')).toBe('new');
    guard.release();
    guard.release();
    expect(failpoint('g')).toBe('old');
  });

  it('removes failpoints after withFailpoints even when the body throws', async () => {
    await expect(
      withFailpoints({ w: 'error(EIO)' }, () => {
        failpoint('w');
      }),
    ).rejects.toMatchObject({ code: 'EIO' });
    expect(failpoint('w')).toBeUndefined();
  });
});
