import { describe, expect, it } from 'vitest';
import { parseStat } from './proc.js';

describe('parseStat', () => {
  it('reads state, parent and start time even when comm has spaces and parentheses', () => {
    const fields = Array.from({ length: 49 }, (_, i) => String(i + 3));
    fields[0] = 'T';
    fields[1] = '77';
    fields[19] = '123456789';
    const stat = parseStat(`4242 (my (odd) name) ${fields.join(' ')}\n`);
    expect(stat).toEqual({ pid: 4242, ppid: 77, comm: 'my (odd) name', state: 'T', startTime: '123456789' });
  });

  it('returns undefined for text that is not a stat line', () => {
    expect(parseStat('garbage')).toBeUndefined();
  });
});
