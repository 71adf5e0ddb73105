/**
 * The resolvers of the truncation story, none of them written here: musl's getaddrinfo (built from
 * `clients/getaddrinfo.c` with Debian's musl-tools), busybox `nslookup` (Debian's busybox-static), glibc's
 * `getent ahostsv4`, `dig +noedns` (a stub's 512-byte limit) and Node's `dns.resolve4` (c-ares). Each runs in the
 * lab's `client` host through `turbulence lab exec`, so it reads the resolv.conf `lab up` wrote there and asks the
 * lab's chaos DNS server on port 53. What each one got is read from its own output and exit code; which transport
 * it used, from the chaos server's per-transport query counters (`GET /stats` on its control API).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The turbulence CLI of this checkout. */
export const CLI = join(here, '../../packages/turbulence/bin/turbulence.js');
/** The lab file: dnsmasq with svc8 (8 addresses) and svc48 (48), a client host, the chaos DNS server. */
export const LAB = join(here, 'lab.yaml');
/** The lab's chaos DNS control API (lab.yaml `dns.api`). */
export const DNS_API = 'http://127.79.0.1:5380';

/** What one command printed. */
export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (never through a shell) and resolves with its exit code and output, whatever the code. */
export function run(argv: readonly string[], timeoutMs = 60_000): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv as [string, ...string[]];
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (code === null) reject(err ?? new Error(`${file} did not exit`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** musl's getaddrinfo, built statically; `tcpFallback` says whether this musl retries truncated answers over TCP. */
export interface MuslClient {
  path: string;
  version: string;
  tcpFallback: boolean;
}

/**
 * Builds the musl client into a new temporary folder and reads musl's version: musl retries a truncated UDP answer
 * over TCP only from 1.2.4 on (Debian bookworm ships 1.2.3).
 */
export async function buildMuslClient(): Promise<MuslClient> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-musl-gai-'));
  const path = join(dir, 'getaddrinfo-musl');
  await run(['musl-gcc', '-static', '-O2', '-o', path, join(here, 'clients/getaddrinfo.c')]).then((r) => {
    if (r.code !== 0) throw new Error(`musl-gcc failed: ${r.stderr.trim()}`);
  });
  // musl's dynamic libc prints its version when run as a program (and exits 1). It sits beside the specs file
  // the musl-gcc wrapper names (Debian: /usr/lib/x86_64-linux-musl/musl-gcc.specs).
  const wrapper = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, 'musl-gcc'))
    .find((f) => existsSync(f));
  const specs = wrapper ? /-specs\s+"?([^"\s]+)/.exec(readFileSync(wrapper, 'utf8'))?.[1] : undefined;
  const libc = specs ? await run([join(dirname(specs), 'libc.so')]).catch(() => undefined) : undefined;
  const version = /Version (\d+\.\d+\.\d+)/.exec((libc?.stderr ?? '') + (libc?.stdout ?? ''))?.[1] ?? 'unknown';
  return { path, version, tcpFallback: atLeast(version, [1, 2, 4]) };
}

function atLeast(version: string, min: readonly number[]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (Number.isNaN(a)) return false;
    if (a !== b) return a > b;
  }
  return true;
}

/** One resolver: how to ask it for a name, and how to read the addresses it printed. */
export interface Resolver {
  id: string;
  /** What it is, for the table. */
  label: string;
  argv(name: string): string[];
  /** The IPv4 addresses the resolver printed (as it printed them). */
  addresses(out: Exec): string[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const lines = (s: string) => s.split('\n').map((l) => l.trim());

/** The five resolvers, given the built musl client. */
export function resolvers(musl: MuslClient): Resolver[] {
  return [
    {
      id: 'musl',
      label: `musl ${musl.version} getaddrinfo (Alpine)`,
      argv: (name) => [musl.path, name],
      addresses: (out) => lines(out.stdout).filter((l) => IPV4.test(l)),
    },
    {
      id: 'busybox',
      label: 'busybox nslookup',
      argv: (name) => ['busybox', 'nslookup', name],
      // "Name:\tsvc.example.test" then "Address: 10.79.48.7"; the server's own "Address:\t10.79.0.1:53" has a port.
      addresses: (out) =>
        lines(out.stdout)
          .map((l) => /^Address:\s+(\S+)$/.exec(l)?.[1] ?? '')
          .filter((a) => IPV4.test(a)),
    },
    {
      id: 'glibc',
      label: 'glibc getent ahostsv4',
      argv: (name) => ['getent', 'ahostsv4', name],
      // One line per address and socket type: the distinct first columns.
      addresses: (out) =>
        [...new Set(lines(out.stdout).map((l) => l.split(/\s+/)[0] ?? ''))].filter((a) => IPV4.test(a)),
    },
    {
      id: 'dig',
      label: 'dig +noedns',
      argv: (name) => ['dig', '+noedns', '+tries=1', '+time=5', name, 'A'],
      addresses: (out) =>
        lines(out.stdout)
          .filter((l) => !l.startsWith(';'))
          .map((l) => /\sIN\s+A\s+(\S+)$/.exec(l)?.[1] ?? '')
          .filter((a) => IPV4.test(a)),
    },
    {
      id: 'c-ares',
      label: "Node's dns.resolve4 (c-ares)",
      argv: (name) => [
        process.execPath,
        '-e',
        "require('dns').promises.resolve4(process.argv[1]).then((a) => console.log(a.join('\\n')), (e) => { console.error(e.code); process.exit(2); })",
        name,
      ],
      addresses: (out) => lines(out.stdout).filter((l) => IPV4.test(l)),
    },
  ];
}

/** One resolver's attempt, as the table shows it. */
export interface Attempt {
  client: string;
  label: string;
  name: string;
  /** `udp`, `udp → tcp` (retried over TCP after the truncated answer), or `none` (never asked). */
  transport: string;
  addresses: number;
  exitCode: number;
  /** The resolver's own last line of error output, when it printed one. */
  error?: string;
  /** Its first lines of output, as printed. */
  output: string;
}

/** The chaos server's query counters by transport. */
export async function transportCounters(api = DNS_API): Promise<{ udp: number; tcp: number }> {
  const res = await fetch(`${api}/stats`);
  if (!res.ok) throw new Error(`GET ${api}/stats: ${res.status}`);
  const stats = (await res.json()) as { byTransport: { udp: number; tcp: number } };
  return stats.byTransport;
}

/** Runs one resolver in the lab's client host and reads what it got and how it asked. */
export async function attempt(resolver: Resolver, name: string): Promise<Attempt> {
  const before = await transportCounters();
  const out = await run([process.execPath, CLI, 'lab', 'exec', LAB, 'client', '--', ...resolver.argv(name)]);
  const after = await transportCounters();
  const udp = after.udp - before.udp;
  const tcp = after.tcp - before.tcp;
  const error = lines(out.stderr).filter(Boolean).at(-1);
  return {
    client: resolver.id,
    label: resolver.label,
    name,
    transport: udp && tcp ? 'udp → tcp' : tcp ? 'tcp' : udp ? 'udp' : 'none',
    addresses: resolver.addresses(out).length,
    exitCode: out.code,
    ...(error ? { error } : {}),
    output: (out.stdout + out.stderr).split('\n').slice(0, 12).join('\n'),
  };
}

/** The verdict for the table: all addresses, some silently, or none. */
export function verdict(a: Attempt, expected: number): string {
  if (a.addresses === expected) return 'resolves';
  if (a.addresses > 0) return `only ${a.addresses} of ${expected}, silently`;
  return a.error ? `FAILS: ${a.error}` : 'FAILS: no address';
}
