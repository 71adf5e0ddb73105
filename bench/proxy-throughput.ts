/**
 * Proxy bulk throughput, resolved to a few per cent (issue 24, item 1): the minimal Node pipe
 * (bench/proxy-minimal.ts), turbulence's proxy with no toxics and with three `noop` toxics per direction (and, with
 * `--before=REF`, the same two from an older commit, extracted from git into `.tmp/`), each in its own process.
 *
 *   npx tsx bench/proxy-throughput.ts [--rounds=N] [--mib=N] [--before=REF] [--no-pin]
 *
 * - The load generator (this process: the sender and the receiving sink) runs on CPU 0, every proxy on CPU 1
 *   (`taskset`), so no proxy shares a core with the traffic it carries and the scheduler cannot move them.
 * - Every round runs every setup once per workload (1 and 4 streams × 16 KiB and 1 MiB writes), in an order that
 *   rotates each round, so a disturbance from other processes hits every setup alike.
 * - Per run: MB/s (10^6 bytes per second of wall time) and the proxy process's CPU time (user + system) per MB.
 *   Reported: the median over the rounds and, for each setup against the pipe, the median of the per-round ratios
 *   with a 95 % percentile-bootstrap interval (as bench/failpoints.ts does).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countingSink, throughput } from './proxy-workloads.js';
import { bootstrapMedian, median } from './stats.js';
import { canPin, machineBusy, pin, runBench, startProxyTarget } from './host.js';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(arg('rounds') ?? 15);
const MIB = Number(arg('mib') ?? 64);
const BEFORE = arg('before');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

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

/** Extracts `packages/turbulence/src` at `ref` into a fresh directory under `.tmp/` (node_modules resolve). */
function extract(ref: string): { src: string; dir: string } {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'bench-before-'));
  const tar = execFileSync('git', ['-C', ROOT, 'archive', ref, 'packages/turbulence/src'], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return { src: join(dir, 'packages/turbulence/src'), dir };
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
    const { src, dir } = extract(BEFORE);
    extracted = dir;
    setups.push({ label: `${BEFORE} (before)`, mode: 'turbulence', src });
    setups.push({ label: `${BEFORE} + 3 noop/dir`, mode: 'turbulence-noop3', src });
  }
  console.log(
    `proxy throughput: ${ROUNDS} interleaved rounds × ${MIB} MiB per run, Node ${process.version}, ` +
      `loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
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
