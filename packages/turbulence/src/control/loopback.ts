/**
 * What counts as a loopback bind. Only a literal loopback address (127.0.0.0/8, ::1, their IPv4-mapped forms) or
 * the name `localhost` does: `127.example.com` is a name that can resolve anywhere, so it is not loopback.
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when `host` (an address or name, optionally in brackets) is loopback by its literal form.
 *
 * @example
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('127.example.com'); // false: a name, it needs a token
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return LOOPBACK.check(bare, 'ipv4');
  if (family === 6) return LOOPBACK.check(bare, 'ipv6');
  return false;
}
