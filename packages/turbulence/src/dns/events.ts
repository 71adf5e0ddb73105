/**
 * The DNS server's events in the one envelope (source `dns`), published on `turbulence:dns`: `dns.query` for every
 * query (the record type is `qtype`, since `type` is the event's), `dns.rule.added`, `dns.rule.removed`.
 */
import { hasSubscribers, publish, stamp, type EventEnvelope } from '../core/events.js';
import type { DnsQueryEvent } from './handler.js';

export type DnsEvent =
  | (EventEnvelope<'dns', 'dns.query'> & Omit<DnsQueryEvent, 'type'> & { qtype?: string })
  | (EventEnvelope<'dns', 'dns.rule.added'> & { rule: unknown })
  | (EventEnvelope<'dns', 'dns.rule.removed'> & { id: string });

/** Publishes a query event. */
export function publishDnsQuery(event: DnsQueryEvent): void {
  if (!hasSubscribers('dns')) return;
  const { type: qtype, ...rest } = event;
  publish(stamp('dns', { ...rest, ...(qtype === undefined ? {} : { qtype }), type: 'dns.query' }));
}

/** Publishes a rule change; returns `value` so a call site stays one expression. */
export function publishDnsRule<T>(
  change: { type: 'dns.rule.added'; rule: unknown } | { type: 'dns.rule.removed'; id: string },
  value: T,
): T {
  publish(stamp('dns', change));
  return value;
}
