/** Changes a proxy server announces: the `/events` stream and `server.on('change', ...)` carry these. */
import { publish, type EventEnvelope } from '../core/events.js';
import type { ProxyJson } from './proxy.js';
import type { ToxicJson } from './toxic-record.js';

/** One change of the proxy server's state. */
export type ProxyEvent =
  | { type: 'proxy.created' | 'proxy.updated' | 'proxy.deleted'; at: string; proxy: ProxyJson }
  | { type: 'toxic.added' | 'toxic.updated' | 'toxic.removed'; at: string; proxy: string; toxic: ToxicJson }
  | { type: 'reset'; at: string };

/** The event name on which a {@link ProxyEvent} is emitted. */
export const CHANGE = 'change';

/** A {@link ProxyEvent} in the one event envelope (source `proxy`, types `proxy.*`, `proxy.toxic.*`, `proxy.reset`). */
export type ProxyBusEvent = EventEnvelope<'proxy'> & Record<string, unknown>;

/**
 * Wraps a change in the envelope and publishes it on `turbulence:proxy`. The `/events` stream keeps sending the
 * change itself (its wire format is unchanged).
 */
export function publishProxyEvent(event: ProxyEvent): ProxyBusEvent {
  const type = event.type.startsWith('proxy.') ? event.type : `proxy.${event.type}`;
  const envelope: ProxyBusEvent = { ...event, source: 'proxy', type };
  publish(envelope);
  return envelope;
}
