/**
 * Chaos DNS for a lab: one chaos DNS server per lab, run inside the supervisor on the gateway address, and a
 * resolv.conf per host naming it, which `ip netns exec` bind-mounts over /etc/resolv.conf, so every service and
 * every `lab exec` resolves through it unmodified.
 *
 *   tb-<lab>.n1: getaddrinfo ─▶ /etc/netns/tb-<lab>.n1/resolv.conf (nameserver 10.77.0.1)
 *       ──UDP/TCP :53 over the bridge──▶ chaos server on 10.77.0.1:53 (this machine, host-access link)
 *       ──▶ upstream (a lab host, a local resolver, or this machine's own)
 *   experiments ──HTTP──▶ control API on 127.0.0.1 (`lab status` prints it) ── dns.rule faults
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { parseHostPort, formatHostPort } from '../dns/address.js';
import { resolvConf, systemNameserver } from '../dns/resolver.js';
import { createDnsServer, type DnsServer } from '../dns/server.js';
import { ETC_NETNS, gatewayAddress } from './network.js';
import type { LabSpec } from './spec.js';
import type { HostState, LabDnsState, LabState } from './state.js';

/** What the lab's DNS will be, recorded in the state before anything starts (undefined without `dns:`). */
export function planLabDns(spec: LabSpec, hosts: readonly HostState[]): LabDnsState | undefined {
  if (!spec.dns) return undefined;
  return {
    nameserver: gatewayAddress(spec.subnet),
    upstream: spec.dns.upstream === undefined ? systemNameserver() : upstreamAddress(spec.dns.upstream, hosts),
    hosts: spec.hosts.filter((h) => h.dns).map((h) => h.name),
  };
}

/** `n1` → `10.77.0.11:53`, `n1:5353` → `10.77.0.11:5353`; addresses are kept. */
export function upstreamAddress(upstream: string, hosts: readonly HostState[]): string {
  const hp = parseHostPort(upstream, 53, 'dns upstream');
  const host = hosts.find((h) => h.name === hp.host);
  return formatHostPort(host ? { host: host.address, port: hp.port } : hp);
}

/**
 * Starts the lab's chaos DNS server on `<gateway>:53` and records its control API and seed in the state.
 * Needs the host-access link (the gateway address) to exist.
 */
export async function startLabDns(spec: LabSpec, state: LabState): Promise<DnsServer> {
  const dns = state.dns;
  if (!spec.dns || !dns) throw new TurbulenceError(ErrorCodes.INTERNAL, 'startLabDns called without dns');
  const server = createDnsServer({
    listen: { host: dns.nameserver, port: 53 },
    upstream: dns.upstream,
    rules: spec.dns.rules,
    api: spec.dns.api ?? '127.0.0.1:0',
    ...(spec.dns.apiToken !== undefined ? { apiToken: spec.dns.apiToken } : {}),
    ...(spec.dns.seed !== undefined ? { seed: spec.dns.seed } : {}),
  });
  try {
    const address = await server.start();
    if (address.api) dns.api = address.api;
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.UNAVAILABLE,
      `lab "${state.name}": chaos DNS did not start: ${errorMessage(err)}`,
      {
        cause: err,
        hint: `is another DNS server listening on all addresses, port 53 (ss -lunp 'sport = 53')? It blocks ${dns.nameserver}:53`,
      },
    );
  }
  dns.seed = server.seed;
  return server;
}

/** Writes `/etc/netns/<ns>/resolv.conf` for every host that resolves through the lab's DNS (removed with the dir). */
export function writeResolvConfs(state: LabState): void {
  const dns = state.dns;
  if (!dns) return;
  const text = resolvConf({ nameserver: dns.nameserver });
  for (const h of state.hosts.filter((x) => dns.hosts.includes(x.name))) {
    const dir = join(ETC_NETNS, h.netns);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'resolv.conf'), text);
  }
}
