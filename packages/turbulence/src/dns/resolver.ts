/**
 * Points an unmodified program's resolver at a chaos DNS server: the program runs in a private mount namespace
 * (`unshare -m`) where a generated `/etc/resolv.conf` is bind-mounted over the real one, so glibc's getaddrinfo,
 * `getent`, curl and Node's `dns.lookup` ask the chaos server. The host's file is never touched.
 *
 * `resolv.conf` cannot name a port: the chaos server must listen on port 53 of the nameserver address (e.g.
 * `turbulence dns serve --listen 127.0.0.153:53 ...`, which needs root like the mount namespace does).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

/** The resolver a started program gets. */
export interface ResolverRedirect {
  /** IP address of the chaos DNS server, listening on port 53. */
  nameserver: string;
  /** `options` line entries; default `timeout:1 attempts:2`. */
  options?: string[];
  /** `search` domains. */
  search?: string[];
}

/** The text of the generated resolv.conf. */
export function resolvConf(r: ResolverRedirect): string {
  if (!isIP(r.nameserver)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `nameserver ${JSON.stringify(r.nameserver)} is not an IP address`, {
      hint: 'resolv.conf takes an address only (port 53): run the chaos server on e.g. 127.0.0.153:53',
    });
  }
  const lines = [`nameserver ${r.nameserver}`, `options ${(r.options ?? ['timeout:1', 'attempts:2']).join(' ')}`];
  if (r.search?.length) lines.push(`search ${r.search.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Spawns `command args` with its `/etc/resolv.conf` replaced (needs root and util-linux `unshare`). The generated
 * file is removed when the child exits.
 *
 * @example
 * const child = spawnWithResolver('curl', ['-s', 'http://svc.example.test/'], { nameserver: '127.0.0.153' });
 */
export function spawnWithResolver(
  command: string,
  args: readonly string[],
  redirect: ResolverRedirect,
  options: SpawnOptions = {},
): ChildProcess {
  if (process.getuid?.() !== 0) {
    throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, 'pointing a process at another resolver needs root', {
      hint: 'run as root (a mount namespace and a bind mount are needed), or point the client at the server itself',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-resolv-'));
  const file = join(dir, 'resolv.conf');
  writeFileSync(file, resolvConf(redirect));
  const script = 'f=$1; shift; mount --bind "$f" /etc/resolv.conf && exec "$@"';
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', file, command, ...args],
    options,
  );
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  child.once('exit', cleanup);
  child.once('error', cleanup);
  return child;
}
