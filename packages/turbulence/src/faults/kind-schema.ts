/**
 * @module What validation needs to know about a fault kind, without loading its driver: the schema of its
 * params and of its target query, the target types it acts on, and an example. Pure: a schema file imports
 * zod and `core/` only, never `node:child_process`, `node:net` or `node:dgram`, so `turbulence validate` and
 * the JSON Schema generator stay light. The driver imports its params schema from the same file.
 */
import type { z } from 'zod';
import type { JsonObject } from '../core/json.js';

/**
 * The schema side of one fault kind.
 *
 * @example
 * const kill: KindSchema = {
 *   kind: 'process.kill', params: killParams, target: processQuerySchema, targetTypes: ['process'],
 *   example: { target: { name: 'api' }, params: { signal: 'SIGTERM' } },
 * };
 */
export interface KindSchema {
  /** Registry key: `<family>.<name>`. */
  readonly kind: string;
  /** Schema of `params` (defaults applied by it). The driver may refine it further at run time. */
  readonly params: z.ZodType;
  /** Schema of the target query. */
  readonly target: z.ZodType;
  /** What the kind acts on: `process`, `netns`, `proxy`, `dns-api`, `failpoint`. */
  readonly targetTypes: readonly string[];
  /** A fault of this kind as an experiment would write it (without `type`/`kind`). */
  readonly example: { target: JsonObject; params?: JsonObject; duration?: string };
  /** True when the target is optional (the driver has a default target). */
  readonly targetOptional?: boolean;
}
