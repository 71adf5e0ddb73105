/**
 * Selection modes: how many of the candidate targets a fault acts on, chosen with the run's seeded RNG.
 *
 *   all                    every candidate
 *   one                    one candidate, at random
 *   count(n)               n candidates (all of them when fewer exist)
 *   percent(p)             round(p% of candidates), at least 1 when p > 0 and a candidate exists
 *   random-max-percent(p)  a random number between 1 and round(p% of candidates)
 *
 * Candidates are sorted by id before choosing, so the same seed picks the same targets whatever order
 * the operating system listed them in.
 */
import { ErrorCodes, TurbulenceError } from './errors.js';
import type { Rng } from './rng.js';

export type SelectionMode =
  | { mode: 'all' }
  | { mode: 'one' }
  | { mode: 'count'; value: number }
  | { mode: 'percent'; value: number }
  | { mode: 'random-max-percent'; value: number };

/**
 * Parses `all`, `one`, `count(2)`, `percent(30)`, `random-max-percent(50)` (also `count:2`, `count=2`).
 *
 * @example
 * parseSelectionMode('count(2)'); // { mode: 'count', value: 2 }
 */
export function parseSelectionMode(text: string): SelectionMode {
  const m = /^\s*([a-z-]+)\s*(?:[(:=]\s*(\d+(?:\.\d+)?)\s*\)?)?\s*$/.exec(text);
  const name = m?.[1];
  const value = m?.[2] === undefined ? undefined : Number(m[2]);
  if (name === 'all' && value === undefined) return { mode: 'all' };
  if (name === 'one' && value === undefined) return { mode: 'one' };
  if (name === 'count' && value !== undefined && Number.isInteger(value) && value >= 0) return { mode: 'count', value };
  if ((name === 'percent' || name === 'random-max-percent') && value !== undefined && value >= 0 && value <= 100) {
    return { mode: name, value };
  }
  throw new TurbulenceError(ErrorCodes.USAGE, `selection mode ${JSON.stringify(text)} is not valid`, {
    hint: 'use all, one, count(N), percent(P) or random-max-percent(P), with 0 <= P <= 100',
  });
}

/** Renders a mode the way {@link parseSelectionMode} reads it. */
export function formatSelectionMode(mode: SelectionMode): string {
  return mode.mode === 'all' || mode.mode === 'one' ? mode.mode : `${mode.mode}(${mode.value})`;
}

/** How many of `total` candidates a mode takes (before any random draw for random-max-percent). */
export function selectionSize(mode: SelectionMode, total: number, rng: Rng): number {
  if (total === 0) return 0;
  switch (mode.mode) {
    case 'all':
      return total;
    case 'one':
      return 1;
    case 'count':
      return Math.min(mode.value, total);
    case 'percent':
      return mode.value <= 0 ? 0 : Math.max(1, Math.min(total, Math.round((total * mode.value) / 100)));
    case 'random-max-percent': {
      if (mode.value <= 0) return 0;
      const max = Math.max(1, Math.min(total, Math.round((total * mode.value) / 100)));
      return 1 + rng.int(max);
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Chooses targets from candidates with the given mode. Pure: the result depends only on the candidates'
 * stable identities (`identity`, else `id`), the mode and the RNG state, not on the order they came in.
 *
 * @example
 * select([{ id: 'a' }, { id: 'b' }, { id: 'c' }], { mode: 'count', value: 2 }, new Rng(7));
 */
export function select<T extends { id: string; identity?: string }>(
  candidates: readonly T[],
  mode: SelectionMode,
  rng: Rng,
): T[] {
  const key = (t: T) => t.identity ?? t.id;
  const sorted = [...candidates].sort((a, b) => compare(key(a), key(b)) || compare(a.id, b.id));
  const n = selectionSize(mode, sorted.length, rng);
  if (n >= sorted.length) return sorted;
  return rng.shuffle(sorted).slice(0, n);
}
