/**
 * Ours: the schema of the `dns` provider, apart from its implementation so the experiment schema can be
 * assembled without loading `node:dgram`.
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';

/** `{type: "dns", server, name, record_type?, transport?, timeout?, edns?}` */
export const dnsObject = strictObject(
  {
    type: z.literal('dns'),
    /** The server to ask, `HOST:PORT` (port 53 when absent). */
    server: z.string().min(1, { message: 'server must be HOST:PORT' }),
    /** The name to resolve. */
    name: z.string().min(1, { message: 'name must be a non-empty string' }),
    /** Record type, default `A`. */
    record_type: z.string().min(1).optional(),
    /** `udp` (gives up on a truncated answer), `tcp`, or `auto` (default: UDP, then TCP on TC, RFC 7766). */
    transport: z.enum(['udp', 'tcp', 'auto'], { error: 'transport must be udp, tcp or auto' }).optional(),
    /** Seconds to wait for an answer (per attempt), default 2. */
    timeout: z.number().positive().optional(),
    /** Advertise this EDNS(0) UDP payload size (e.g. 1232); default none, i.e. the classic 512-byte limit. */
    edns: z.number().int().min(512).max(65535).optional(),
  },
  'the dns provider',
);

/** Ours: `{type: "dns", ...}` — resolve a name through a given DNS server. */
export type DnsProvider = z.output<typeof dnsObject>;

/** Schema of the `dns` provider. */
export const dnsSchema: z.ZodType<DnsProvider> = dnsObject;
