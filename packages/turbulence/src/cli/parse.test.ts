import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../core/errors.js';
import { parseChoice, parseDurationFlag, parseInteger, parseNumber, parseProbability } from './parse.js';

function usageOf(fn: () => unknown): { message: string; hint: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (isTurbulenceError(err, 'TURB_ERR_USAGE')) return { message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error('expected a USAGE error');
}

describe('strict CLI values', () => {
  it('reads integers and refuses what Number() would let through', () => {
    expect(parseInteger('--seed', '42')).toBe(42);
    for (const bad of ['abc', '', '0x10', '1e3', '4.5', '12abc']) {
      expect(usageOf(() => parseInteger('--seed', bad)).message).toBe(
        `--seed must be an integer, got ${JSON.stringify(bad)}`,
      );
    }
    expect(usageOf(() => parseInteger('--port', '70000', { min: 1, max: 65535 }))).toEqual({
      message: '--port must be from 1 to 65535, got 70000',
      hint: 'e.g. --port 42',
    });
  });

  it('reads numbers with bounds', () => {
    expect(parseNumber('--f', '0.5', { above: 0 })).toBe(0.5);
    expect(usageOf(() => parseNumber('--f', '0', { above: 0 })).message).toBe('--f must be a number > 0, got 0');
    expect(usageOf(() => parseNumber('--f', 'fast')).message).toBe('--f must be a number, got "fast"');
  });

  it('reads durations and says how to write one', () => {
    expect(parseDurationFlag('--duration', '1m30s')).toBe(90_000);
    expect(usageOf(() => parseDurationFlag('--duration', '5x'))).toEqual({
      message: '--duration must be a duration, got "5x"',
      hint: 'e.g. --duration 30s (or 500ms, 5m, 1h30m, 90)',
    });
  });

  it('reads enums with a suggestion', () => {
    expect(parseChoice('--dry', 'actions', ['probes', 'actions'])).toBe('actions');
    expect(usageOf(() => parseChoice('--dry', 'action', ['probes', 'actions'])).hint).toBe('did you mean "actions"?');
  });

  it('reads probabilities as fractions or percentages', () => {
    expect(parseProbability('--p', '20%')).toBe(0.2);
    expect(parseProbability('--p', '0.3')).toBe(0.3);
    expect(usageOf(() => parseProbability('--p', '1.5')).message).toBe(
      '--p must be in [0, 1] or a percentage, got "1.5"',
    );
    expect(usageOf(() => parseProbability('--p', '0', { zero: false })).message).toMatch(/^--p must be in \(0, 1\]/);
    expect(usageOf(() => parseProbability('--p', 'often')).hint).toBe('e.g. --p 0.2 or --p 20%');
  });
});
