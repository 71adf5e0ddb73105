/**
 * `refuse`: a connection-level toxic. A new connection it is selected for (by toxicity) is reset at once and the
 * upstream is never dialled; established connections are not touched. (The kernel has already completed the
 * handshake, so the client sees `ECONNRESET` or an empty reply rather than `ECONNREFUSED`; disable the proxy for
 * a true refusal.)
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { passThrough } from './pass-through.js';

/** The `refuse` toxic. */
export const refuse: ToxicType<Record<string, never>> = {
  type: 'refuse',
  summary: 'reset new connections at once, without dialling the upstream',
  timeless: true,
  attributes: z.object({}),
  create: (_attributes, out) => passThrough(out),
  accept: () => ({ refuse: true }),
};
