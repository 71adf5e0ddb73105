/**
 * `flip-case`: swap the case of every letter in the names of the response (`Api.Example` → `aPI.eXAMPLE`), as
 * some middleboxes do. Clients that check DNS 0x20 case randomisation, or compare names case-sensitively, reject it.
 */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';

const swap = (s: string): string =>
  s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));

export const flipCase: DnsActionDefinition<Record<string, never>> = {
  type: 'flip-case',
  summary: 'swap the case of the names in the response',
  params: z.object({}).strict(),
  after(_ex, response) {
    for (const q of response.questions ?? []) q.name = swap(q.name);
    for (const rr of [...(response.answers ?? []), ...(response.authorities ?? [])]) rr.name = swap(rr.name);
  },
};
