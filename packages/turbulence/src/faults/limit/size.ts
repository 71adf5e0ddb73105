/**
 * Sizes as users write them: `64MiB`, `512k`, `1G`, or a number of bytes.
 */
import { z } from 'zod';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1e9,
  gib: 1024 ** 3,
};

/**
 * Parses a size into bytes (undefined when it is not one).
 *
 * @example
 * parseSize('64MiB'); // 67108864
 */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(input.trim());
  const scale = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  return m && scale !== undefined ? Math.round(Number(m[1]) * scale) : undefined;
}

/** A zod schema for sizes, producing bytes. */
export const sizeParam = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a size (e.g. 64MiB, 512k, 1G)` });
    return z.NEVER;
  }
  return n;
});
