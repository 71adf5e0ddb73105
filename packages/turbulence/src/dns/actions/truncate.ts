/** `truncate`: on UDP, set TC and strip the records, so RFC 7766 clients retry over TCP, where the full answer goes. */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';
import { truncateMessage } from '../wire.js';

export const truncate: DnsActionDefinition<Record<string, never>> = {
  type: 'truncate',
  summary: 'on UDP set the TC bit and strip the answer (TCP gets the full answer)',
  params: z.object({}).strict(),
  after(ex, response) {
    if (ex.transport === 'udp') truncateMessage(response);
  },
};
