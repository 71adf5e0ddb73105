/** `ttl(n)`: rewrite the TTL of every answer and authority record (0 defeats caches, large values pin stale data). */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';

const params = z.object({ ttl: z.number().int().min(0).max(2_147_483_647) }).strict();

export const ttl: DnsActionDefinition<z.output<typeof params>> = {
  type: 'ttl',
  summary: 'set the TTL of every record in the answer to n seconds',
  params,
  positional: ['ttl'],
  after(_ex, response, p) {
    for (const rr of [...(response.answers ?? []), ...(response.authorities ?? [])]) {
      if (rr.type !== 'OPT') rr.ttl = p.ttl;
    }
  },
};
