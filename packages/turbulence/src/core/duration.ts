/**
 * Durations as users write them: `250ms`, `30s`, `5m`, `1h30m`, or a bare number of seconds
 * (Chaos Toolkit's pauses are seconds).
 */
import { ErrorCodes, TurbulenceError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration into milliseconds.
 *
 * @example
 * parseDuration('1m30s'); // 90000
 * parseDuration(2);       // 2000 (numbers are seconds)
 */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw invalid(what, String(input));
    return Math.round(input * 1000);
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) throw invalid(what, input);
  return Math.round(total);
}

/** Formats milliseconds for humans: `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

function invalid(what: string, value: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.USAGE, `${what} ${JSON.stringify(value)} is not a duration`, {
    hint: 'use a number of seconds or a value like 250ms, 30s, 5m, 1h30m',
  });
}
