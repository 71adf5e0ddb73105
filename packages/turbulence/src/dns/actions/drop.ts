/** `drop`: never answer, as when packets are lost or the server is overloaded; clients time out. */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';

export const drop: DnsActionDefinition<Record<string, never>> = {
  type: 'drop',
  summary: 'send no answer (the client times out)',
  params: z.object({}).strict(),
  before(ex) {
    ex.drop = true;
  },
};
