/** `nxdomain`, `servfail`, `refused`: answer with that rcode instead of asking the upstream. */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';
import { Rcode, replyTo, type RcodeName } from '../wire.js';

function rcodeAction(type: string, rcode: RcodeName): DnsActionDefinition<Record<string, never>> {
  return {
    type,
    summary: `answer ${rcode} without asking the upstream`,
    params: z.object({}).strict(),
    before(ex) {
      ex.response = replyTo(ex.query, Rcode[rcode]);
    },
  };
}

export const nxdomain = rcodeAction('nxdomain', 'NXDOMAIN');
export const servfail = rcodeAction('servfail', 'SERVFAIL');
export const refused = rcodeAction('refused', 'REFUSED');
