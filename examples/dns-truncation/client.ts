/**
 * The two clients of the story, and the function the experiment's probe calls.
 *
 * - `udp-only`: a stub resolver like the one in the incident. It sends one UDP query without EDNS(0) and, when the
 *   answer comes back truncated (TC bit), gives up with "Name does not resolve" instead of asking again over TCP.
 * - `rfc7766`: Node's own resolver (c-ares), which retries over TCP on TC as RFC 7766 requires.
 */
import { Resolver } from 'node:dns/promises';
import { dnsQuery } from '../../packages/turbulence/src/dns/client.js';

/** What a client saw: whether it resolved the name, how many addresses, and why not. */
export interface Resolution {
  client: string;
  resolved: boolean;
  addresses: number;
  /** The UDP answer had the TC bit set (only the udp-only stub can tell; c-ares hides it). */
  tc?: boolean;
  error?: string;
}

/** One UDP query; on TC, fail like musl's stub resolver does. */
export async function resolveUdpOnly(server: string, name: string): Promise<Resolution> {
  const r = await dnsQuery({ server, name, transport: 'udp', timeoutMs: 2000 });
  if (r.tc) return { client: 'udp-only', resolved: false, addresses: 0, tc: true, error: 'Name does not resolve' };
  if (r.rcode !== 'NOERROR' || r.addresses.length === 0) {
    return { client: 'udp-only', resolved: false, addresses: 0, tc: false, error: r.rcode };
  }
  return { client: 'udp-only', resolved: true, addresses: r.addresses.length, tc: false };
}

/** Node's c-ares resolver pointed at `server`: UDP first, TCP when truncated. */
export async function resolveRfc7766(server: string, name: string): Promise<Resolution> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  try {
    const addresses = await resolver.resolve4(name);
    return { client: 'rfc7766', resolved: true, addresses: addresses.length };
  } catch (err) {
    return {
      client: 'rfc7766',
      resolved: false,
      addresses: 0,
      error: (err as NodeJS.ErrnoException).code ?? String(err),
    };
  }
}

/**
 * The probe: `{ type: module, module: ./client.ts, func: resolveAll, arguments: { server, name, client } }`.
 * Resolves the name with the chosen client.
 */
export async function resolveAll(args: Record<string, unknown>): Promise<Resolution> {
  const server = String(args.server);
  const name = String(args.name);
  return args.client === 'udp-only' ? resolveUdpOnly(server, name) : resolveRfc7766(server, name);
}
