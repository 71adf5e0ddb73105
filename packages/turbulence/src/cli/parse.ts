/**
 * Strict parsing of CLI values, for every command: integers, numbers, durations, enums and probabilities. A
 * malformed value is a `USAGE` error (exit 2) that names the flag, quotes what was given and says what to
 * write instead: `demo --seed abc` → `--seed must be an integer, got "abc"` (hint: e.g. --seed 42).
 * `Number()` alone is not enough: it reads `""` as 0, `"0x10"` as 16 and `"1e3"` as 1000.
 */
import { parseDuration } from '../core/duration.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function usage(message: string, hint: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.USAGE, message, { hint });
}

/**
 * A decimal integer within `[min, max]` (defaults: 0 and `Number.MAX_SAFE_INTEGER`).
 *
 * @example
 * parseInteger('--seed', '42'); // 42
 * parseInteger('--seed', 'abc'); // throws USAGE: --seed must be an integer, got "abc"
 */
export function parseInteger(flag: string, text: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = INTEGER.test(text.trim()) ? Number(text) : NaN;
  const example = `e.g. ${flag} ${Math.max(min, Math.min(max, 42))}`;
  if (!Number.isSafeInteger(n)) throw usage(`${flag} must be an integer, got ${JSON.stringify(text)}`, example);
  if (n < min || n > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw usage(`${flag} must be ${bounds}, got ${text}`, example);
  }
  return n;
}

/**
 * A decimal number within the given bounds (`above` is exclusive).
 *
 * @example
 * parseNumber('--hypothesis-frequency', '0.5', { above: 0 }); // 0.5
 */
export function parseNumber(
  flag: string,
  text: string,
  range: { min?: number; above?: number; max?: number } = {},
): number {
  const n = DECIMAL.test(text.trim()) ? Number(text) : NaN;
  const parts = [
    range.min !== undefined ? `≥ ${range.min}` : undefined,
    range.above !== undefined ? `> ${range.above}` : undefined,
    range.max !== undefined ? `≤ ${range.max}` : undefined,
  ].filter((p) => p !== undefined);
  const what = parts.length > 0 ? `a number ${parts.join(' and ')}` : 'a number';
  const hint = `write ${what}, e.g. ${flag} ${range.max !== undefined && range.max <= 1 ? '0.5' : '1'}`;
  if (!Number.isFinite(n)) throw usage(`${flag} must be ${what}, got ${JSON.stringify(text)}`, hint);
  const outside =
    (range.min !== undefined && n < range.min) ||
    (range.above !== undefined && n <= range.above) ||
    (range.max !== undefined && n > range.max);
  if (outside) throw usage(`${flag} must be ${what}, got ${text}`, hint);
  return n;
}

/**
 * A duration in milliseconds: `500ms`, `30s`, `5m`, `1h30m`, or bare seconds.
 *
 * @example
 * parseDurationFlag('--duration', '5x'); // throws USAGE: --duration must be a duration, got "5x"
 */
export function parseDurationFlag(flag: string, text: string): number {
  try {
    return parseDuration(text, flag);
  } catch {
    throw usage(
      `${flag} must be a duration, got ${JSON.stringify(text)}`,
      `e.g. ${flag} 30s (or 500ms, 5m, 1h30m, 90)`,
    );
  }
}

/**
 * One of a fixed set of names; a near miss is answered with "did you mean".
 *
 * @example
 * parseChoice('--dry', 'action', ['probes', 'actions']); // throws USAGE ... did you mean "actions"?
 */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw usage(`${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`, didYouMean(text, choices));
}

/**
 * A probability: a number in [0, 1] or a percentage (`20%`).
 *
 * @example
 * parseProbability('--probability', '20%'); // 0.2
 */
export function parseProbability(flag: string, text: string, opts: { zero?: boolean } = {}): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const body = percent ? trimmed.slice(0, -1) : trimmed;
  const n = DECIMAL.test(body) ? Number(body) / (percent ? 100 : 1) : NaN;
  const zero = opts.zero !== false;
  if (!(n >= 0 && n <= 1) || (!zero && n === 0)) {
    throw usage(
      `${flag} must be in ${zero ? '[0' : '(0'}, 1] or a percentage, got ${JSON.stringify(text)}`,
      `e.g. ${flag} 0.2 or ${flag} 20%`,
    );
  }
  return n;
}
