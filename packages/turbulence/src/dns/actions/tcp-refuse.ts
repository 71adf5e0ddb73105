/**
 * `tcp-refuse`: reset TCP connections that ask for the name (as a firewall that blocks TCP/53 does), so the
 * RFC 7766 fallback after a truncated UDP answer fails too. UDP queries are not affected.
 */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';

export const tcpRefuse: DnsActionDefinition<Record<string, never>> = {
  type: 'tcp-refuse',
  summary: 'reset the TCP connection instead of answering (UDP unaffected)',
  params: z.object({}).strict(),
  before(ex) {
    if (ex.transport === 'tcp') ex.resetTcp = true;
  },
};
