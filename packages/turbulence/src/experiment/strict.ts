/**
 * Objects whose unknown keys are errors that name the nearest valid key. Chaos Toolkit ignores unknown keys;
 * we refuse them, because a typo (`tittle`, `sginal`) silently ignored is how a chaos run ends "steady state
 * held" with nothing injected. The documented extension points (`extensions`, `tags`, `contributions`,
 * `configuration`, `secrets`, `controls`, `$schema`, and the inside of an `extensions` entry) stay open.
 *
 * zod reports all unknown keys of one object in one issue; the message carries one line per key, in the issue's
 * key order, which `schema-issues.ts` splits back into one problem per key (so each points at its own line).
 */
import { z } from 'zod';
import { didYouMean } from '../core/suggest.js';

/** The message of one unknown key. */
export function unknownKeyMessage(key: string, known: readonly string[], what = 'a known key'): string {
  return `${JSON.stringify(key)} is not ${what}; ${didYouMean(key, known)}`;
}

/**
 * `z.strictObject(shape)` whose unknown keys get "did you mean" messages.
 *
 * @example
 * const pauses = strictObject({ before: z.number().optional(), after: z.number().optional() }, 'a pause');
 * // { befor: 1 } → '"befor" is not a key of a pause; did you mean "before"?'
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what?: string) {
  const known = Object.keys(shape);
  const label = what === undefined ? 'a known key' : `a key of ${what}`;
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? iss.keys.map((k) => unknownKeyMessage(k, known, label)).join('\n') : undefined,
  });
}

/**
 * The keys an object schema accepts, looking through optional, default, pipe/transform and union wrappers
 * (`undefined` when the schema is not an object, or is open to any key).
 *
 * @example
 * objectKeys(z.object({ a: z.string() }).strict().optional()); // ['a']
 */
export function objectKeys(schema: z.ZodType): string[] | undefined {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall as { _zod: { def: { type: string } } } | undefined;
      if (catchall !== undefined && catchall._zod.def.type !== 'never') return undefined;
      return Object.keys(def.shape as Record<string, unknown>);
    }
    case 'pipe':
      return objectKeys(def.in as z.ZodType);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return objectKeys(def.innerType as z.ZodType);
    case 'union': {
      const all = (def.options as z.ZodType[]).map(objectKeys);
      if (all.some((k) => k === undefined)) return undefined;
      return [...new Set(all.flat() as string[])];
    }
    default:
      return undefined;
  }
}
