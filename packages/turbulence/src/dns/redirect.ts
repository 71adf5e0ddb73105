/**
 * A chaos DNS server on port 53 of a fresh loopback address, plus a way to start unmodified programs whose
 * `/etc/resolv.conf` points at it (see `resolver.ts`). What `turbulence dns run` is made of.
 *
 *   program ──getaddrinfo──▶ /etc/resolv.conf (bind-mounted: nameserver 127.53.x.y)
 *           ──UDP/TCP :53──▶ chaos server (rules) ──▶ upstream (default: this machine's resolver)
 */
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { formatHostPort, parseHostPort } from './address.js';
import {
  requireRootForRedirect,
  spawnWithResolver,
  systemNameserver,
  type ResolverRedirect,
  type ResolverSpawnOptions,
} from './resolver.js';
import { createDnsServer, type DnsServer, type DnsServerOptions } from './server.js';

/** Options of {@link startChaosResolver}: a chaos server's options, with `listen` and `upstream` optional. */
export interface ChaosResolverOptions extends Omit<DnsServerOptions, 'listen' | 'upstream'> {
  /** Address to serve on, port 53 (resolv.conf cannot name another): default a free `127.53.x.y`. */
  listen?: string;
  /** The real resolver; default this machine's (the first nameserver of /etc/resolv.conf). */
  upstream?: string;
  /** `search` domains and `options` of the generated resolv.conf. */
  resolvConf?: Omit<ResolverRedirect, 'nameserver'>;
}

/** A running chaos server that programs can be pointed at. */
export interface ChaosResolver {
  readonly server: DnsServer;
  /** The address in the programs' resolv.conf (the server listens on its port 53). */
  readonly nameserver: string;
  /** Base URL of the control API, when `api` was given. */
  readonly api: string | undefined;
  /** Starts a program that resolves through the server (see {@link spawnWithResolver}). */
  spawn(command: string, args: readonly string[], options?: ResolverSpawnOptions): ChildProcess;
  /** Stops the server. Programs still running then get no answers (their resolver times out). */
  close(): Promise<void>;
}

const ATTEMPTS = 8;

/**
 * Starts a chaos DNS server on port 53 for programs to be pointed at. Needs root.
 *
 * @example
 * const chaos = await startChaosResolver({ upstream: '127.0.0.1:5353', rules: [{ name: 'db.test', action: 'nxdomain' }] });
 * const child = chaos.spawn('getent', ['hosts', 'db.test'], { stdio: 'inherit' });
 * child.once('exit', () => void chaos.close());
 */
export async function startChaosResolver(options: ChaosResolverOptions = {}): Promise<ChaosResolver> {
  const { listen, upstream, resolvConf, ...rest } = options;
  const fixed = listen === undefined ? undefined : nameserverAddress(listen);
  requireRootForRedirect('a chaos resolver for unmodified programs');
  const upstreamAddress = upstream ?? systemNameserver();
  for (let attempt = 1; ; attempt++) {
    const host = fixed ?? `127.53.${randomInt(1, 255)}.${randomInt(1, 255)}`;
    const server = createDnsServer({ ...rest, listen: { host, port: 53 }, upstream: upstreamAddress });
    try {
      const address = await server.start();
      return {
        server,
        nameserver: host,
        api: address.api,
        spawn: (command, args, spawnOptions) =>
          spawnWithResolver(command, args, { ...resolvConf, nameserver: host }, spawnOptions),
        close: () => server.close(),
      };
    } catch (err) {
      if (fixed !== undefined || attempt >= ATTEMPTS || !/EADDRINUSE/.test(errorMessage(err))) throw err;
    }
  }
}

/** The host of `--listen`, which must be an IP address on port 53. */
function nameserverAddress(listen: string): string {
  const hp = parseHostPort(listen, 53, 'listen address');
  if (!isIP(hp.host)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `listen address ${JSON.stringify(listen)} is not an IP address`, {
      hint: 'resolv.conf names servers by address: e.g. --listen 127.0.0.153',
    });
  }
  if (hp.port !== 53) {
    throw new TurbulenceError(ErrorCodes.USAGE, `cannot point programs at ${formatHostPort(hp)}: not port 53`, {
      hint: 'resolv.conf cannot name a port (glibc and musl always ask port 53): give an address only',
    });
  }
  return hp.host;
}
