/**
 * `inflate(n)`: pad the answer with n extra records so it outgrows 512 bytes and the UDP size limit truncates it
 * the way a real server would. A and AAAA queries get addresses from the benchmarking (198.18.0.0/15) and
 * documentation (2001:db8::/32) ranges, so nobody connects anywhere real; other types get TXT padding.
 */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';
import type { Answer } from '../wire.js';

const params = z.object({ count: z.number().int().min(1).max(2000) }).strict();

export const inflate: DnsActionDefinition<z.output<typeof params>> = {
  type: 'inflate',
  summary: 'pad the answer with n extra records (large answers truncate on UDP)',
  params,
  positional: ['count'],
  after(ex, response, p) {
    if (((response.flags ?? 0) & 0xf) !== 0) return;
    const name = response.questions?.[0]?.name ?? ex.name;
    const extra = Array.from({ length: p.count }, (_, i) => padding(ex.type, name, i));
    response.answers = [...(response.answers ?? []), ...extra];
  },
};

function padding(type: string, name: string, i: number): Answer {
  const n = i + 1;
  if (type === 'A') return { name, type: 'A', ttl: 60, data: `198.18.${(n >> 8) & 0xff}.${n & 0xff}` };
  if (type === 'AAAA') return { name, type: 'AAAA', ttl: 60, data: `2001:db8::${n.toString(16)}` };
  return { name, type: 'TXT', ttl: 60, data: `turbulence-padding-${n}` };
}
