/**
 * `connect_delay`: a connection-level toxic. A new connection it is selected for waits `delay` ms before the
 * upstream is dialled and before any client data is read (a slow connection establishment); established
 * connections are not touched.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';
import { passThrough } from './pass-through.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface ConnectDelayAttributes {
  /** Milliseconds to wait before dialling the upstream. */
  delay: number;
}

/** The `connect_delay` toxic. */
export const connectDelay: ToxicType<ConnectDelayAttributes> = {
  type: 'connect_delay',
  summary: 'delay new connections by delay ms before the upstream is dialled',
  timeless: true,
  attributes: z.object({ delay: int('delay', 0) }),
  create: (_attributes, out) => passThrough(out),
  accept: (attributes) => ({ delayMs: attributes.delay }),
};
