/** `noop`: passes data through unchanged (registered in Toxiproxy too; useful to measure toxic overhead). */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { passThrough } from './pass-through.js';

/** The `noop` toxic: no attributes, no effect. */
export const noop: ToxicType<Record<string, never>> = {
  type: 'noop',
  summary: 'pass data through unchanged',
  timeless: true,
  attributes: z.object({}),
  create: (_attributes, out) => passThrough(out),
};
