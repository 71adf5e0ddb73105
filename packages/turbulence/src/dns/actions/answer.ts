/**
 * `answer(records)`: spoof the answer without asking the upstream. Records of the query's type (and CNAMEs) are
 * returned; a query of another type gets an empty NOERROR answer (NODATA), as from a real authoritative server.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';
import { Rcode, replyTo } from '../wire.js';

const record = z
  .object({
    type: z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'PTR', 'NS']),
    data: z.string().min(1).max(255),
    ttl: z.number().int().min(0).max(2_147_483_647).default(60),
    /** Owner name; defaults to the query name. */
    name: z
      .string()
      .regex(/^[^.\s]{1,63}(\.[^.\s]{1,63})*\.?$/, 'a DNS name: labels of 1-63 characters separated by dots')
      .max(253)
      .optional(),
  })
  .strict()
  .refine((r) => (r.type === 'A' ? isIPv4(r.data) : r.type === 'AAAA' ? isIPv6(r.data) : true), {
    message: 'an A record needs an IPv4 address and an AAAA record an IPv6 address',
    path: ['data'],
  });

const params = z.object({ records: z.array(record).min(1).max(500) }).strict();

export const answer: DnsActionDefinition<z.output<typeof params>> = {
  type: 'answer',
  summary: 'answer with the given records instead of asking the upstream (spoof)',
  params,
  before(ex, p) {
    const fitting = p.records.filter((r) => r.type === ex.type || r.type === 'CNAME');
    const answers = fitting.map((r) => ({ name: r.name ?? ex.name, type: r.type, ttl: r.ttl, data: r.data }));
    ex.response = replyTo(ex.query, Rcode.NOERROR, answers);
  },
};
