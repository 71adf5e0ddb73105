/**
 * The service's DNS as it runs in production, on one machine: a real dnsmasq (Debian `dnsmasq-base`) serving
 * `svc.example.test` from a hosts file, and turbulence's chaos DNS server in front of it, which the clients use.
 * `scaleService` is the experiment's action: it rewrites the hosts file and makes dnsmasq reload it (SIGHUP), as
 * the incident's cluster grew to 48 nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDnsServer, dnsQuery, type DnsServer } from '../../packages/turbulence/src/dns/index.js';

export const SERVICE = 'svc.example.test';
/** dnsmasq lives in /usr/sbin, which is not on every PATH. */
const DNSMASQ = existsSync('/usr/sbin/dnsmasq') ? '/usr/sbin/dnsmasq' : 'dnsmasq';

/** A running stack; `stop()` ends dnsmasq (by PID) and the chaos server and removes the hosts file. */
export interface Stack {
  /** The chaos DNS server the clients use, HOST:PORT. */
  dns: string;
  /** Its control API. */
  api: string;
  /** The real upstream, HOST:PORT. */
  upstream: string;
  hostsFile: string;
  dnsmasqPid: number;
  server: DnsServer;
  stop(): Promise<void>;
}

/** The hosts file for `count` instances of the service, 127.48.0.1 .. 127.48.0.count (loopback, never contacted). */
export function hostsFor(count: number): string {
  return Array.from({ length: count }, (_, i) => `127.48.0.${i + 1} ${SERVICE}`).join('\n') + '\n';
}

/**
 * The experiment's action: `{ type: module, module: ./cluster.ts, func: scaleService,
 * arguments: { hosts_file, dnsmasq_pid, count } }`.
 */
export async function scaleService(args: Record<string, unknown>): Promise<{ instances: number }> {
  const count = Number(args.count);
  const pid = Number(args.dnsmasq_pid);
  // kill(0) or kill(-1) would signal turbulence's own process group, or every process: refuse anything but a pid.
  if (!Number.isSafeInteger(pid) || pid <= 1)
    throw new Error(`dnsmasq_pid must be dnsmasq's pid, got ${String(args.dnsmasq_pid)}`);
  writeFileSync(String(args.hosts_file), hostsFor(count));
  process.kill(pid, 'SIGHUP');
  await sleep(200); // dnsmasq rereads the file between queries
  return { instances: count };
}

/** Starts dnsmasq on `host:port` with `instances` records, then the chaos DNS server in front of it. */
export async function startStack(opts: { instances: number; seed?: number }): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'dns-truncation-'));
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, hostsFor(opts.instances));
  const { child, upstream } = await startDnsmasq(hostsFile);
  const server = createDnsServer({ listen: '127.0.0.1:0', upstream, api: '127.0.0.1:0', seed: opts.seed ?? 1 });
  try {
    const addr = await server.start();
    return {
      dns: `${addr.dns.host}:${addr.dns.port}`,
      api: addr.api as string,
      upstream,
      hostsFile,
      dnsmasqPid: child.pid as number,
      server,
      stop: async () => {
        await server.close();
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startDnsmasq(hostsFile: string): Promise<{ child: ChildProcess; upstream: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const host = `127.53.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const port = 20000 + Math.floor(Math.random() * 40000);
    const child = spawn(
      DNSMASQ,
      [
        '--keep-in-foreground',
        '--no-resolv',
        '--no-hosts',
        '--bind-interfaces',
        '--user=root',
        '--pid-file=',
        `--listen-address=${host}`,
        `--port=${port}`,
        `--addn-hosts=${hostsFile}`,
        '--local=/test/',
        '--no-negcache',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 40 && child.exitCode === null; i++) {
      const up = await dnsQuery({ server: `${host}:${port}`, name: SERVICE, timeoutMs: 200 }).catch(() => undefined);
      if (up) return { child, upstream: `${host}:${port}` };
      await sleep(50);
    }
    await stopChild(child);
  }
  throw new Error('dnsmasq did not start (is dnsmasq-base installed? scripts/setup-system.sh installs it)');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
