/**
 * `truncate`: on UDP, set TC and strip the records, so RFC 7766 clients retry over TCP, where the full answer goes.
 * `truncate(oversize)` does it only to answers that do not fit the client's UDP limit (512 bytes, or its EDNS size;
 * an upstream that already set TC did not fit either): what the servers of the 48-node incident did, TC with zero
 * answer records, where dnsmasq or BIND keep the records that fit.
 */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';
import { TC, ednsOf, encodeMessage, truncateMessage, udpLimit, type DnsMessage } from '../wire.js';

const params = z.object({ when: z.enum(['always', 'oversize']).default('always') }).strict();

export const truncate: DnsActionDefinition<z.output<typeof params>> = {
  type: 'truncate',
  summary:
    'on UDP set the TC bit and strip the answer (TCP gets the full answer); truncate(oversize): only answers that do not fit',
  params,
  positional: ['when'],
  after(ex, response, p) {
    if (ex.transport !== 'udp') return;
    if (p.when === 'oversize' && !oversize(ex.query, response)) return;
    truncateMessage(response);
  },
};

/** True when the answer did not fit the client's UDP limit (the upstream said so with TC, or it is larger). */
function oversize(query: DnsMessage, response: DnsMessage): boolean {
  if (((response.flags ?? 0) & TC) !== 0) return true;
  return encodeMessage(response).length > udpLimit(ednsOf(query)?.udpPayloadSize, 65_535);
}
