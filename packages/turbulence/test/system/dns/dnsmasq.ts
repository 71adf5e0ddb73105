/**
 * Starts a real dnsmasq (Debian `dnsmasq-base`) on a random loopback address and port, serving the given host
 * records and NXDOMAIN for any other name under `.test`. Stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dnsQuery } from '../../../src/dns/client.js';
import { createDnsServer, type DnsServer, type DnsServerOptions } from '../../../src/dns/index.js';
import { which } from '../../support/system.js';

export interface Dnsmasq {
  host: string;
  port: number;
  address: string;
  pid: number;
  /** Queries dnsmasq received for `name` (any type, case-insensitive); needs `logQueries`. */
  queries(name: string): number;
  stop(): Promise<void>;
}

/** Extras for {@link startDnsmasq}. */
export interface DnsmasqOptions {
  /** More dnsmasq arguments, e.g. `--local-ttl=300` (its hosts-file answers have TTL 0 by default). */
  args?: string[];
  /** Log every query to stderr, so a test can count what reached the upstream. */
  logQueries?: boolean;
  /**
   * Serve this zone authoritatively (SOA in negative answers, TTL and SOA MINIMUM = `ttl`). dnsmasq answers
   * authoritatively only on an interface's own address, so this one listens on 127.0.0.1, on a port below the
   * ephemeral range.
   */
  authZone?: { zone: string; ttl: number };
}

/** A random 127.x.y.z (x in 100..199) and port (20000..59999), to stay clear of other engineers' tests. */
export function randomLoopback(): { host: string; port: number } {
  const b = () => 1 + Math.floor(Math.random() * 250);
  return {
    host: `127.${100 + Math.floor(Math.random() * 100)}.${b()}.${b()}`,
    port: 20000 + Math.floor(Math.random() * 40000),
  };
}

/** `hosts`: name → addresses. Waits until dnsmasq answers. */
export async function startDnsmasq(hosts: Record<string, string[]>, options: DnsmasqOptions = {}): Promise<Dnsmasq> {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-dnsmasq-'));
  const file = join(dir, 'hosts');
  writeFileSync(
    file,
    Object.entries(hosts)
      .flatMap(([name, addrs]) => addrs.map((a) => `${a} ${name}`))
      .join('\n') + '\n',
  );
  for (let attempt = 0; ; attempt++) {
    const { host, port } = options.authZone
      ? { host: '127.0.0.1', port: 20000 + Math.floor(Math.random() * 12000) }
      : randomLoopback();
    const zone = options.authZone;
    const extra = [
      ...(options.args ?? []),
      ...(options.logQueries ? ['--log-queries', '--log-facility=-'] : []),
      ...(zone
        ? [
            `--auth-server=ns.${zone.zone},lo`,
            `--auth-zone=${zone.zone},127.0.0.0/8`,
            `--auth-ttl=${zone.ttl}`,
            `--auth-soa=1,hostmaster.${zone.zone},1200,120,604800`,
          ]
        : []),
    ];
    const child = spawn(
      which('dnsmasq') ?? 'dnsmasq',
      [
        '--keep-in-foreground',
        '--no-resolv',
        '--no-hosts',
        '--bind-interfaces',
        '--user=root',
        '--pid-file=',
        `--listen-address=${host}`,
        `--port=${port}`,
        `--addn-hosts=${file}`,
        '--local=/test/',
        '--no-negcache',
        ...extra,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const up = await waitUp(child, host, port);
    if (up) {
      return {
        host,
        port,
        address: `${host}:${port}`,
        pid: child.pid as number,
        queries: (name: string) => {
          const re = new RegExp(`(?:query|auth)\\[[A-Z0-9]+\\] ${name.replace(/\./g, '\\.')} from`, 'gi');
          return [...stderr.matchAll(re)].length;
        },
        stop: async () => {
          await stop(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    if (attempt >= 4) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dnsmasq did not start: ${stderr}`);
    }
  }
}

async function waitUp(child: ChildProcess, host: string, port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) return false;
    try {
      await dnsQuery({ server: { host, port }, name: 'probe.test', transport: 'udp', timeoutMs: 200 });
      return true;
    } catch {
      await sleep(50);
    }
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000).then(() => child.kill('SIGKILL'))]);
  await exited;
}

/** A chaos DNS server in front of a dnsmasq ({@link startChaosInFront}). */
export interface ChaosInFront {
  upstream: Dnsmasq;
  server: DnsServer;
  /** Where the chaos server listens (UDP and TCP). */
  host: string;
  port: number;
  /** `host:port`. */
  at: string;
  /** The control API's base URL, when `options.api` asked for one. */
  api?: string;
  /** Closes the server, then stops dnsmasq. */
  close(): Promise<void>;
}

/**
 * Starts dnsmasq with `hosts` and a chaos DNS server on 127.0.0.1 (port 0) forwarding to it, with `options`.
 *
 * @example
 * const dns = await startChaosInFront({ 'one.test': ['127.0.0.9'] }, { seed: 7 });
 * await dnsQuery({ server: dns.at, name: 'one.test' });
 * await dns.close();
 */
export async function startChaosInFront(
  hosts: Record<string, string[]>,
  options: Omit<DnsServerOptions, 'listen' | 'upstream'> = {},
): Promise<ChaosInFront> {
  const upstream = await startDnsmasq(hosts);
  try {
    const server = createDnsServer({ listen: '127.0.0.1:0', upstream: upstream.address, ...options });
    const { dns, api } = await server.start();
    return {
      upstream,
      server,
      host: dns.host,
      port: dns.port,
      at: `${dns.host}:${dns.port}`,
      api,
      close: async () => {
        await server.close();
        await upstream.stop();
      },
    };
  } catch (err) {
    await upstream.stop();
    throw err;
  }
}
