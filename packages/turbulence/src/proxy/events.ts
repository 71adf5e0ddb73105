/** Changes a proxy server announces: the `/events` stream and `server.on('change', ...)` carry these. */
import type { ProxyJson } from './proxy.js';
import type { ToxicJson } from './toxic-record.js';

/** One change of the proxy server's state. */
export type ProxyEvent =
  | { type: 'proxy.created' | 'proxy.updated' | 'proxy.deleted'; at: string; proxy: ProxyJson }
  | { type: 'toxic.added' | 'toxic.updated' | 'toxic.removed'; at: string; proxy: string; toxic: ToxicJson }
  | { type: 'reset'; at: string };

/** The event name on which a {@link ProxyEvent} is emitted. */
export const CHANGE = 'change';
