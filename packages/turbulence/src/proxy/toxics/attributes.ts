/**
 * Attribute schema helpers shared by the toxic files. Toxiproxy attributes are integers whose missing keys mean 0;
 * these helpers keep that default and add the range checks the reference server lacks.
 */
import { z } from 'zod';

/** An integer attribute (Toxiproxy sends int64), default 0, at least `min` when given. */
export function int(what: string, min?: number): z.ZodDefault<z.ZodNumber> {
  let schema = z.number({ error: `${what} must be an integer` }).int({ error: `${what} must be an integer` });
  if (min !== undefined) schema = schema.min(min, { error: `${what} must be >= ${min}` });
  return schema.default(0);
}

/** A probability attribute in [0, 1] with a default. */
export function ratio(what: string, fallback: number): z.ZodDefault<z.ZodNumber> {
  return z
    .number({ error: `${what} must be a number between 0 and 1` })
    .min(0, { error: `${what} must be >= 0` })
    .max(1, { error: `${what} must be <= 1` })
    .default(fallback);
}
