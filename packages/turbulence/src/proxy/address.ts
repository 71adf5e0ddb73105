/**
 * `host:port` strings as Toxiproxy writes them: `127.0.0.1:80`, `[::1]:80`, `:8080`, `localhost:0`.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Splits `host:port` (IPv6 in brackets); undefined when there is no valid port. */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

/** Formats an address the way Go prints it: IPv6 in brackets. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Resolves the host of a listen address to an IP (IPv4 first, like Go's resolver for `localhost`). */
export async function resolveListen(address: string): Promise<{ host: string | undefined; port: number }> {
  const parts = splitHostPort(address);
  if (!parts) throw new Error(`listen tcp: address ${address}: missing port in address`);
  if (parts.host === '') return { host: undefined, port: parts.port };
  if (isIP(parts.host)) return parts;
  try {
    const found = await lookup(parts.host, { verbatim: false });
    return { host: found.address, port: parts.port };
  } catch {
    throw new Error(`listen tcp: lookup ${parts.host}: no such host`);
  }
}
