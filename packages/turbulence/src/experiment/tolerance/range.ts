/**
 * `{type: "range", range: [lo, hi], target?}`: the (targeted) value, read as an exact decimal, lies in
 * `[lo, hi]`, bounds included. A value that is not a number (or a numeric string) is not in range.
 */
import { z } from 'zod';
import type { ToleranceKind } from './kind.js';
import { isDict, pickTarget, pyType, show, targetName, toleranceError } from './pyvalue.js';
import { strictObject } from '../strict.js';

const DECIMAL = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:e[+-]?\d+)?$/i;

/**
 * Python `Decimal(value)` for JSON values: numbers, booleans (as 1/0) and decimal strings (spaces around,
 * `_` between digits, exponents allowed); `undefined` for anything else.
 *
 * @example
 * parseDecimal(' 12.50 '); // 12.5
 * parseDecimal('12ms');    // undefined
 */
export function parseDecimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!DECIMAL.test(text) || /__|_$|_\.|\._/.test(text)) return undefined;
  return Number(text.replace(/_/g, ''));
}

const schema = strictObject(
  {
    type: z.literal('range'),
    range: z.tuple([z.number(), z.number()], { error: 'range must be a list of two numbers [low, high]' }),
    target: z.string().optional(),
  },
  'a range tolerance',
);
/** A `range` tolerance, derived from its schema. */
export type RangeTolerance = z.output<typeof schema>;

/** The `range` tolerance kind. */
export const rangeKind: ToleranceKind<RangeTolerance> = {
  type: 'range',
  schema,
  check(tol, output) {
    const [lo, hi] = tol.range;
    const raw = pickTarget(output, tol.target);
    const what = targetName(tol.target);
    if (raw === null || raw === undefined || Array.isArray(raw) || isDict(raw)) {
      // Decimal(None) / Decimal({...}) raise TypeError (not InvalidOperation) in chaoslib/hypothesis.py.
      throw toleranceError(
        `range tolerance: ${what} ${show(raw)} is not a number`,
        `TypeError: conversion from ${pyType(raw)} to Decimal is not supported`,
      );
    }
    const n = parseDecimal(raw);
    if (n === undefined) return { met: false, reason: `${what} ${show(raw)} is not a number` };
    const met = lo <= n && n <= hi;
    return { met, reason: `${what} ${n} ${met ? 'in' : 'not in'} range [${lo}, ${hi}]` };
  },
  describe: (tol) => `range [${tol.range[0]}, ${tol.range[1]}]${tol.target ? ` of ${tol.target}` : ''}`,
};
