/**
 * Points an unmodified program's resolver at a chaos DNS server: the program runs in a private mount namespace
 * (`unshare --mount`) where a generated `/etc/resolv.conf` is bind-mounted over the real one, so glibc's
 * getaddrinfo, `getent`, curl, `dig` and Node's `dns.lookup` ask the chaos server. The machine's file is never
 * touched, and the bind mount vanishes with the namespace.
 *
 *   turbulence ── spawn ──▶ [setpriv --pdeathsig KILL] unshare --mount --propagation private sh -c '
 *                             mount --bind <tmp>/resolv.conf /etc/resolv.conf; rm -r <tmp>; exec COMMAND'
 *
 * `resolv.conf` cannot name a port: the chaos server must listen on port 53 of the nameserver address (e.g.
 * `turbulence dns serve --listen 127.0.0.153:53 ...`, which needs root like the mount namespace does).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { findBinary } from '../os/tools.js';

/** The resolver a started program gets. */
export interface ResolverRedirect {
  /** IP address of the chaos DNS server, listening on port 53. */
  nameserver: string;
  /** `options` line entries; default `timeout:1 attempts:2`. */
  options?: string[];
  /** `search` domains. */
  search?: string[];
}

/** Options of {@link spawnWithResolver} beyond Node's own spawn options. */
export interface ResolverSpawnOptions extends SpawnOptions {
  /** SIGKILL the program when this process dies (`setpriv --pdeathsig`), so a crash leaves nothing running. */
  dieWithParent?: boolean;
}

/**
 * The text of the generated resolv.conf.
 *
 * @example
 * resolvConf({ nameserver: '10.77.0.1' }); // 'nameserver 10.77.0.1\noptions timeout:1 attempts:2\n'
 */
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
 * The `nameserver` addresses of a resolv.conf text, in order.
 *
 * @example
 * readNameservers('nameserver 10.0.0.2\n'); // ['10.0.0.2']
 */
export function readNameservers(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((a): a is string => a !== undefined && isIP(a.replace(/%.*$/, '')) !== 0);
}

/**
 * This machine's own resolver (the first `nameserver` of `/etc/resolv.conf`, port 53): the upstream a chaos
 * server forwards to when none is given, so names resolve as they normally do until a rule fires.
 *
 * @example
 * createDnsServer({ listen: '127.0.0.153:53', upstream: systemNameserver() }); // e.g. upstream '10.0.0.2:53'
 */
export function systemNameserver(file = '/etc/resolv.conf'): string {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // reported below
  }
  const first = readNameservers(text)[0];
  if (!first) {
    throw new TurbulenceError(ErrorCodes.CONFIGURATION, `no nameserver in ${file} to forward to`, {
      hint: 'name the real resolver explicitly, e.g. --upstream 127.0.0.1:5353 (or `upstream:` in a lab file)',
    });
  }
  return isIP(first) === 6 ? `[${first}]:53` : `${first}:53`;
}

/** Throws the error every resolver redirection gives without root. */
export function requireRootForRedirect(what = 'pointing a process at another resolver'): void {
  if (process.getuid?.() !== 0) {
    throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `${what} needs root`, {
      hint:
        'run it with sudo (a private mount namespace, a bind mount over /etc/resolv.conf and a server on port 53 ' +
        'need root), or point the client at the chaos server itself (e.g. dig @127.0.0.1 -p 5354)',
    });
  }
}

// Runs inside the new mount namespace. nscd would answer from its cache without reading resolv.conf: an empty
// tmpfs over its socket directory makes glibc resolve by itself. The temp directory is removed as soon as the
// bind mount holds the file, so nothing is left in /tmp even if turbulence is killed.
const SCRIPT = [
  'f=$1; shift',
  'if [ -S /var/run/nscd/socket ]; then mount -t tmpfs -o size=4k tmpfs /var/run/nscd || exit 125; fi',
  'mount --bind "$f" /etc/resolv.conf || exit 125',
  'rm -rf "${f%/*}"',
  'exec "$@"',
].join('\n');

/**
 * Spawns `command args` with its `/etc/resolv.conf` replaced (needs root and util-linux `unshare`). The program is
 * the spawned PID itself (unshare and sh exec into it), so signals sent to the child reach it. Exit code 125
 * means the mount failed (the reason is on the child's stderr).
 *
 * @example
 * const child = spawnWithResolver('curl', ['-s', 'http://svc.example.test/'], { nameserver: '127.0.0.153' });
 */
export function spawnWithResolver(
  command: string,
  args: readonly string[],
  redirect: ResolverRedirect,
  options: ResolverSpawnOptions = {},
): ChildProcess {
  requireRootForRedirect();
  const { dieWithParent, ...spawnOptions } = options;
  const needed = ['unshare', 'mount', ...(dieWithParent ? ['setpriv'] : [])];
  for (const bin of needed) {
    if (!findBinary(bin)) {
      throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `\`${bin}\` not found`, {
        hint: 'install util-linux (Debian: apt-get install util-linux mount)',
      });
    }
  }
  const conf = resolvConf(redirect);
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-resolv-'));
  const file = join(dir, 'resolv.conf');
  writeFileSync(file, conf, { mode: 0o644 });
  const unshare = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', file, command, ...args];
  const argv = dieWithParent ? ['setpriv', '--pdeathsig', 'KILL', ...unshare] : unshare;
  const child = spawn(argv[0] as string, argv.slice(1), spawnOptions);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  child.once('exit', cleanup);
  child.once('error', cleanup);
  return child;
}
