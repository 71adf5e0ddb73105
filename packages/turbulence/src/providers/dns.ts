/**
 * Ours: the `dns` provider. Resolves a name through a given server and reports what came back.
 *
 *   { "type": "dns", "server": "127.0.0.1:5354", "name": "svc.example.test", "transport": "udp" }
 *   → { "rcode": "NOERROR", "tc": true, "transport": "udp", "answers": [], "addresses": [], "latency_ms": 0.8, ... }
 *
 * A server that does not answer in time, or refuses the TCP connection, fails the activity with the reason.
 */
import { errorMessage } from '../core/errors.js';
import { dnsQuery, type DnsQueryResult } from '../dns/client.js';
import { dnsSchema, type DnsProvider } from './dns-schema.js';
import { activityFailed, type ProviderDefinition } from './types.js';

export type { DnsProvider } from './dns-schema.js';

/** Runs one `dns` provider object. */
export async function runDnsProbe(p: DnsProvider, signal: AbortSignal): Promise<DnsQueryResult> {
  try {
    return await dnsQuery({
      server: p.server,
      name: p.name,
      type: p.record_type ?? 'A',
      transport: p.transport ?? 'auto',
      timeoutMs: (p.timeout ?? 2) * 1000,
      signal,
      ...(p.edns === undefined ? {} : { edns: p.edns }),
    });
  } catch (err) {
    throw activityFailed(`dns ${p.name} via ${p.server}: ${errorMessage(err)}`, err);
  }
}

/** The `dns` provider definition. */
export const dnsProvider: ProviderDefinition<DnsProvider> = {
  type: 'dns',
  schema: dnsSchema,
  substitute: ['server', 'name', 'record_type', 'transport', 'timeout'],
  run: (p, ctx) => runDnsProbe(p, ctx.signal),
  describe: (p) => `dns ${p.record_type ?? 'A'} ${p.name} via ${p.server} (${p.transport ?? 'auto'})`,
};
