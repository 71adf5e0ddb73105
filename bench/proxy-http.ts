/**
 * Protocol proxies of issue 21, each against its plain-Node baseline, all in the same run, each proxy in its own
 * process. Prints the figures that go in bench/RESULTS.md under "## Protocol proxies".
 *
 *   npx tsx bench/proxy-http.ts [--quick] [--runs=N] [--seconds=N] [--only=http|tls|udp] [--before=REF]
 *
 *   HTTP keep-alive (autocannon, 50 connections): req/s, p99 and the proxy process's CPU per request through an
 *     http proxy whose one toxic matches nothing, vs a plain node:http reverse proxy (goal ≥ 1.0×) and vs
 *     turbulence's tcp proxy, and with `--before=REF` vs the same http proxy built from git REF (same run);
 *   TLS: new handshakes/s (16 at a time, connect + close) through a tcp proxy with tls.terminate vs a plain
 *     node:tls terminator (goal ≥ 0.9×);
 *   UDP: echoed datagrams/s (64 in flight) through a udp proxy vs a minimal dgram relay (goal ≥ 0.9×).
 * Run it under `flock /tmp/tb-bench.lock`. The TCP byte path is measured by bench/proxy.ts (`--only=throughput`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { extractSrc } from './host.js';

/** The part of autocannon's result this bench reads (the package ships no types). */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<CannonResult>;

process.env.TURBULENCE_HOME ??= mkdtempSync(join(tmpdir(), 'tb-bench-'));
const quick = process.argv.includes('--quick');
const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(option('seconds') ?? (quick ? 3 : 6));
const RUNS = Number(option('runs') ?? (quick ? 1 : 3));
/** Which of the three parts run (all by default): `--only=http` while tuning the http proxy. */
const only = option('only')?.split(',');
const runs = (part: 'http' | 'tls' | 'udp'): boolean => !only || only.includes(part);
const children: ChildProcess[] = [];

async function target(
  mode: string,
  upstream: number,
  src?: string,
): Promise<{ port: number; ca?: string; pid: number }> {
  const script = fileURLToPath(new URL('./proxy-http-target.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, String(upstream), ...(src ? [src] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return { ...(JSON.parse(line) as { port: number; ca?: string }), pid: child.pid as number };
}

/** Keep-alive requests/s and p99 through `port`, and the CPU the proxy (`pid`) spent per request (µs). */
async function http(port: number, pid: number) {
  const cpuBefore = cpuMicros(pid);
  const r = await autocannon({ url: `http://127.0.0.1:${port}/x`, connections: 50, duration: SECONDS });
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    cpuPerRequest: (cpuMicros(pid) - cpuBefore) / r.requests.total,
  };
}

async function handshakes(port: number, ca: string) {
  let count = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
            count++;
            s.destroy();
            resolve();
          });
          s.on('error', () => resolve());
        });
      }
    }),
  );
  return { hps: count / ((performance.now() - started) / 1000) };
}

/** CPU time (user + system, µs) a process used so far, from /proc (clock ticks). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Echoed datagrams per second through `port`, and the CPU the forwarder (`pid`) spent per datagram (µs). */
async function datagrams(port: number, pid: number) {
  const cpuBefore = cpuMicros(pid);
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  let got = 0;
  const payload = Buffer.alloc(100, 1);
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    client.on('message', () => {
      got++;
      if (performance.now() < deadline) client.send(payload, port, '127.0.0.1');
      else resolve();
    });
    for (let i = 0; i < 64; i++) client.send(payload, port, '127.0.0.1');
    // Lost datagrams would shrink the window: top it up every 50 ms.
    const refill = setInterval(() => {
      if (performance.now() >= deadline) return clearInterval(refill);
      for (let i = 0; i < 8; i++) client.send(payload, port, '127.0.0.1');
    }, 50);
  });
  const dps = got / ((performance.now() - started) / 1000);
  client.close();
  return { dps, cpuPerDatagram: (cpuMicros(pid) - cpuBefore) / got };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const upstreamHttp = createServer((_req, res) => res.end('x'.repeat(256)));
  upstreamHttp.listen(0, '127.0.0.1');
  await once(upstreamHttp, 'listening');
  const httpPort = (upstreamHttp.address() as { port: number }).port;
  const echo = createNetServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const echoPort = (echo.address() as { port: number }).port;
  const udpEcho = createSocket('udp4');
  udpEcho.on('message', (m, from) => udpEcho.send(m, from.port, from.address));
  udpEcho.bind(0, '127.0.0.1');
  await once(udpEcho, 'listening');
  const udpPort = udpEcho.address().port;

  const none: { port: number; pid: number; ca?: string } = { port: 0, pid: 0 };
  const t = {
    nodeHttp: runs('http') ? await target('node-http', httpPort) : none,
    turbHttp: runs('http') ? await target('turbulence-http', httpPort) : none,
    turbTcp: runs('http') ? await target('turbulence-tcp', httpPort) : none,
    nodeTls: runs('tls') ? await target('node-tls', echoPort) : none,
    turbTls: runs('tls') ? await target('turbulence-tls', echoPort) : none,
    relay: runs('udp') ? await target('dgram-relay', udpPort) : none,
    turbUdp: runs('udp') ? await target('turbulence-udp', udpPort) : none,
  };
  const beforeRef = option('before');
  const before = beforeRef && runs('http') ? extractSrc(beforeRef) : undefined;
  const turbBefore = before ? await target('turbulence-http', httpPort, before.src) : undefined;
  const httpSetups: (readonly [string, { port: number; pid: number }])[] = [
    ['node-http', t.nodeHttp],
    ['turbulence-http', t.turbHttp],
    ['turbulence-tcp', t.turbTcp],
    ...(turbBefore ? [[`turbulence-http@${beforeRef}`, turbBefore] as const] : []),
  ];
  const load = [loadavg()[0]];
  const res: Record<string, number[]> = {};
  const add = (k: string, v: number) => (res[k] ??= []).push(v);
  // Warm-up, then interleaved runs.
  if (runs('http')) {
    for (const [, p] of httpSetups)
      await autocannon({ url: `http://127.0.0.1:${p.port}/x`, connections: 50, duration: 1 });
  }
  for (let run = 0; run < RUNS; run++) {
    for (const [k, p] of runs('http') ? httpSetups : []) {
      const r = await http(p.port, p.pid);
      add(`${k} req/s`, r.rps);
      add(`${k} p99 ms`, r.p99);
      add(`${k} cpu µs/request`, r.cpuPerRequest);
      add(`${k} errors`, r.errors);
    }
    if (runs('tls')) {
      add('node-tls handshakes/s', (await handshakes(t.nodeTls.port, t.nodeTls.ca as string)).hps);
      add('turbulence-tls handshakes/s', (await handshakes(t.turbTls.port, t.turbTls.ca as string)).hps);
    }
    // Alternate which goes first: under load the second of a pair is often the slower one.
    for (const [k, p] of !runs('udp')
      ? []
      : run % 2 === 0
        ? ([
            ['dgram-relay', t.relay],
            ['turbulence-udp', t.turbUdp],
          ] as const)
        : ([
            ['turbulence-udp', t.turbUdp],
            ['dgram-relay', t.relay],
          ] as const)) {
      const d = await datagrams(p.port, p.pid);
      add(`${k} datagrams/s`, d.dps);
      add(`${k} cpu µs/datagram`, d.cpuPerDatagram);
    }
  }
  load.push(loadavg()[0]);
  const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]));
  console.log(`runs ${RUNS} × ${SECONDS} s, load average ${load.map((l) => l?.toFixed(1)).join(' → ')}`);
  for (const [k, v] of Object.entries(m)) {
    console.log(`${k.padEnd(32)} ${v.toFixed(k.includes('p99') || k.includes('µs') ? 2 : 0)}`);
  }
  const ratio = (a: string, b: string) => ((m[a] as number) / (m[b] as number)).toFixed(2);
  if (runs('http')) {
    console.log(
      `http req/s: turbulence-http ÷ node-http ${ratio('turbulence-http req/s', 'node-http req/s')}×, ÷ turbulence-tcp ${ratio('turbulence-http req/s', 'turbulence-tcp req/s')}×`,
    );
    console.log(`http p99:   turbulence-http ÷ node-http ${ratio('turbulence-http p99 ms', 'node-http p99 ms')}×`);
    console.log(
      `http CPU per request: node-http ÷ turbulence-http ${ratio('node-http cpu µs/request', 'turbulence-http cpu µs/request')}× (≥ 1: turbulence costs no more)`,
    );
    if (turbBefore) {
      const b = `turbulence-http@${beforeRef}`;
      console.log(
        `http at ${beforeRef}: req/s ÷ node-http ${ratio(`${b} req/s`, 'node-http req/s')}×, p99 ÷ node-http ${ratio(`${b} p99 ms`, 'node-http p99 ms')}×, ` +
          `CPU per request: node-http ÷ it ${ratio('node-http cpu µs/request', `${b} cpu µs/request`)}×; now ÷ then req/s ${ratio('turbulence-http req/s', `${b} req/s`)}×`,
      );
    }
  }
  if (runs('tls')) {
    console.log(
      `tls handshakes/s: turbulence ÷ node:tls ${ratio('turbulence-tls handshakes/s', 'node-tls handshakes/s')}×`,
    );
  }
  if (runs('udp')) {
    console.log(
      `udp datagrams/s: turbulence ÷ dgram relay ${ratio('turbulence-udp datagrams/s', 'dgram-relay datagrams/s')}×; ` +
        `CPU per datagram: dgram relay ÷ turbulence ${ratio('dgram-relay cpu µs/datagram', 'turbulence-udp cpu µs/datagram')}× (≥ 1: turbulence costs no more)`,
    );
  }
  for (const c of children) c.stdin?.end();
  upstreamHttp.close();
  echo.close();
  udpEcho.close();
  if (before) rmSync(before.dir, { recursive: true, force: true });
  setTimeout(() => process.exit(0), 200).unref();
}

await main();
