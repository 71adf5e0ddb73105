/**
 * Proxy bulk throughput, resolved to a few per cent (issue 24, item 1): the minimal Node pipe
 * (bench/proxy-minimal.ts), turbulence's proxy with no toxics and with three `noop` toxics per direction (and, with
 * `--before=REF`, the same two from an older commit, extracted from git into `.tmp/`), each in its own process.
 *
 *   npx tsx bench/proxy-throughput.ts [--rounds=N] [--mib=N] [--before=REF] [--small]
 *
 * - The load generator (this process: the sender and the receiving sink) runs on CPU 0, every proxy on CPU 1
 *   (`taskset`), so no proxy shares a core with the traffic it carries and the scheduler cannot move them.
 * - Every round runs every setup once per workload (1 and 4 streams × 16 KiB and 1 MiB writes), in an order that
 *   rotates each round, so a disturbance from other processes hits every setup alike.
 * - Per run: MB/s (10^6 bytes per second of wall time) and the proxy process's CPU time (user + system) per MB.
 *   Reported: the median over the rounds and, for each setup against the pipe, the median of the per-round ratios
 *   with a 95 % percentile-bootstrap interval (as bench/failpoints.ts does).
 * - `--small` runs, instead of bulk, the small-message workloads the byte path must not make worse (issue 24: "keep
 *   every other proxy figure at or better"): keep-alive HTTP requests/s on 1 and 50 connections (1,000-byte
 *   answers from a `node:http` upstream, p99 too) and new connections/s (16 loops, one byte echoed), 1 s per run,
 *   same setups, pinning and rotation; ratios to the pipe and, with `--before`, to the older commit.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { connectionsPerSecond, countingSink, keepAlive, serve, throughput } from './proxy-workloads.js';
import { bootstrapMedian, median } from './stats.js';
import { canPin, extractSrc, machineBusy, pin, runBench, startProxyTarget } from './host.js';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(arg('rounds') ?? 15);
const MIB = Number(arg('mib') ?? 64);
const BEFORE = arg('before');
const SMALL = process.argv.includes('--small');

interface Setup {
  label: string;
  mode: 'pipe' | 'turbulence' | 'turbulence-noop3';
  src?: string;
}

interface Target {
  port: number;
  pid: number;
  cpu(): Promise<number>;
  stop(): void;
}

const children: ChildProcess[] = [];

async function target(setup: Setup, upstreamPort: number): Promise<Target> {
  const t = await startProxyTarget([], [setup.mode, String(upstreamPort), ...(setup.src ? [setup.src] : [])], children);
  return { port: t.port, pid: t.pid, cpu: () => t.ask('cpu'), stop: t.stop };
}

interface Workload {
  label: string;
  streams: number;
  writeBytes: number;
}

const WORKLOADS: Workload[] = [
  { label: '1 stream, 16 KiB writes', streams: 1, writeBytes: 16 * 1024 },
  { label: '1 stream, 1 MiB writes', streams: 1, writeBytes: 1024 * 1024 },
  { label: '4 streams, 16 KiB writes', streams: 4, writeBytes: 16 * 1024 },
  { label: '4 streams, 1 MiB writes', streams: 4, writeBytes: 1024 * 1024 },
];

async function main(): Promise<void> {
  const setups: Setup[] = [
    { label: 'pipe', mode: 'pipe' },
    { label: 'turbulence', mode: 'turbulence' },
    { label: 'turbulence + 3 noop/dir', mode: 'turbulence-noop3' },
  ];
  let extracted: string | undefined;
  if (BEFORE) {
    const { src, dir } = extractSrc(BEFORE);
    extracted = dir;
    setups.push({ label: `${BEFORE} (before)`, mode: 'turbulence', src });
    setups.push({ label: `${BEFORE} + 3 noop/dir`, mode: 'turbulence-noop3', src });
  }
  console.log(
    `proxy throughput: ${ROUNDS} interleaved rounds × ${MIB} MiB per run, Node ${process.version}, ` +
      `loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
  if (SMALL) return small(setups, extracted);
  const sink = await countingSink();
  const sinkDone = sink.done;
  const targets = await Promise.all(setups.map((s) => target(s, sink.port)));
  const pinned = canPin();
  if (pinned) {
    pin(process.pid, '0');
    for (const t of targets) pin(t.pid, '1');
  }
  const run = async (t: Target, w: Workload, mib: number) => {
    const [c0, b0, w0] = [await t.cpu(), machineBusy(), performance.now()];
    const genCpu0 = process.cpuUsage();
    const r = await throughput(t.port, sinkDone(w.streams), w.streams, (mib * 1024 * 1024) / w.streams, w.writeBytes);
    const wallUs = (performance.now() - w0) * 1000;
    const gen = process.cpuUsage(genCpu0);
    const proxyUs = (await t.cpu()) - c0;
    const others = Math.max(0, machineBusy() - b0 - proxyUs - gen.user - gen.system) / wallUs;
    return { mbs: r.value, cpuPerMb: proxyUs / r.work, others };
  };
  // Warm-up: JIT and first GCs of every setup, on every workload.
  for (const t of targets) for (const w of WORKLOADS) await run(t, w, Math.max(8, MIB / 4));
  const mbs = WORKLOADS.map(() => setups.map((): number[] => []));
  const cpu = WORKLOADS.map(() => setups.map((): number[] => []));
  const others: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let wi = 0; wi < WORKLOADS.length; wi++) {
      for (let k = 0; k < setups.length; k++) {
        const si = (k + round) % setups.length;
        const r = await run(targets[si]!, WORKLOADS[wi]!, MIB);
        mbs[wi]![si]!.push(r.mbs);
        cpu[wi]![si]!.push(r.cpuPerMb);
        others.push(r.others);
      }
    }
  }
  for (const t of targets) t.stop();
  sink.server.close();
  if (extracted) rmSync(extracted, { recursive: true, force: true });

  const ratio = (xs: number[], base: number[]): string => {
    const rs = xs.map((x, i) => x / base[i]!);
    const [lo, hi] = bootstrapMedian(rs);
    return `${median(rs).toFixed(2)}× [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
  };
  console.log(
    '\n| workload | setup | MB/s median | proxy CPU µs/MB median | MB/s ÷ pipe [95 % CI] | CPU/MB ÷ pipe [95 % CI] |',
  );
  console.log('|---|---|---|---|---|---|');
  for (let wi = 0; wi < WORKLOADS.length; wi++) {
    for (let si = 0; si < setups.length; si++) {
      const m = mbs[wi]![si]!;
      const c = cpu[wi]![si]!;
      const isPipe = si === 0;
      console.log(
        `| ${WORKLOADS[wi]!.label} | ${setups[si]!.label} | ${median(m).toFixed(0)} | ${median(c).toFixed(0)} | ` +
          `${isPipe ? '–' : ratio(m, mbs[wi]![0]!)} | ${isPipe ? '–' : ratio(c, cpu[wi]![0]!)} |`,
      );
    }
  }
  console.log(
    `\n${pinned ? 'pinned (load generator CPU 0, proxies CPU 1)' : 'not pinned'}; other processes used ` +
      `${median(others).toFixed(2)} cores (median of runs), max ${Math.max(...others).toFixed(2)}; ` +
      `loadavg at the end ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
}

runBench(main, children);

/** `--small`: keep-alive requests/s and p99, and new connections/s, through every setup (see the header). */
async function small(setups: Setup[], extracted: string | undefined): Promise<void> {
  const http = createHttpServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('x'.repeat(1000)));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const echo = await serve((s) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('error', () => {});
  });
  const httpTargets = await Promise.all(setups.map((s) => target(s, (http.address() as AddressInfo).port)));
  const echoTargets = await Promise.all(setups.map((s) => target(s, echo.port)));
  if (canPin()) {
    pin(process.pid, '0');
    for (const t of [...httpTargets, ...echoTargets]) pin(t.pid, '1');
  }
  const workloads = [
    { label: 'keep-alive req/s, 1 connection', targets: httpTargets, run: (p: number) => keepAlive(p, 1, 1000, 1100) },
    {
      label: 'keep-alive req/s, 50 connections',
      targets: httpTargets,
      run: (p: number) => keepAlive(p, 50, 1000, 1100),
    },
    {
      label: 'new connections/s, 16 loops',
      targets: echoTargets,
      run: (p: number) => connectionsPerSecond(p, 16, 1000),
    },
  ];
  type Sample = { value: number; cpu: number; p99: number };
  const samples = workloads.map(() => setups.map((): Sample[] => []));
  for (let round = -1; round < ROUNDS; round++) {
    for (let wi = 0; wi < workloads.length; wi++) {
      for (let k = 0; k < setups.length; k++) {
        const si = (k + Math.max(0, round)) % setups.length;
        const t = workloads[wi]!.targets[si]!;
        const c0 = await t.cpu();
        const r: { value: number; work: number; p99?: number } = await workloads[wi]!.run(t.port);
        const cpu = ((await t.cpu()) - c0) / r.work;
        if (round >= 0) samples[wi]![si]!.push({ value: r.value, cpu, p99: r.p99 ?? NaN });
      }
    }
  }
  for (const t of [...httpTargets, ...echoTargets]) t.stop();
  http.close();
  echo.server.close();
  if (extracted) rmSync(extracted, { recursive: true, force: true });
  const ratio = (xs: number[], base: number[]): string => {
    const rs = xs.map((x, i) => x / base[i]!);
    const [lo, hi] = bootstrapMedian(rs);
    return `${median(rs).toFixed(2)}× [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
  };
  const beforeIndex = setups.findIndex((s) => s.src !== undefined);
  console.log(
    '\n| workload | setup | per s median | proxy CPU µs/op | p99 ms | per s ÷ pipe [95 % CI] | per s ÷ before | CPU/op ÷ before |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (let wi = 0; wi < workloads.length; wi++) {
    for (let si = 0; si < setups.length; si++) {
      const m = samples[wi]![si]!;
      const v = m.map((x) => x.value);
      const c = m.map((x) => x.cpu);
      // The same setup of the older commit: `turbulence` against `REF (before)`, `+ 3 noop` against `REF + 3 noop`.
      const bi = beforeIndex < 0 || si === 0 || si >= beforeIndex ? -1 : beforeIndex + si - 1;
      const b = bi < 0 ? undefined : samples[wi]![bi]!;
      console.log(
        `| ${workloads[wi]!.label} | ${setups[si]!.label} | ${median(v).toFixed(0)} | ${median(c).toFixed(1)} | ` +
          `${median(m.map((x) => x.p99)).toFixed(2)} | ${
            si === 0
              ? '–'
              : ratio(
                  v,
                  samples[wi]![0]!.map((x) => x.value),
                )
          } | ` +
          `${
            b
              ? ratio(
                  v,
                  b.map((x) => x.value),
                )
              : '–'
          } | ${
            b
              ? ratio(
                  c,
                  b.map((x) => x.cpu),
                )
              : '–'
          } |`,
      );
    }
  }
  console.log(`\nloadavg at the end ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
}
