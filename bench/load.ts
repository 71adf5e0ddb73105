/**
 * Load-generator benchmark (`load.*`): the ceiling of turbulence's load engine (requests/s on keep-alive
 * connections, new connections/s with one connection per request) against `autocannon` run alone in the same
 * bench run against the same server, and the runner's event-loop delay (`monitorEventLoopDelay`) while a burst
 * runs in the worker threads. Prints the figures that go in bench/RESULTS.md under "## Load".
 *
 *   npm run build && flock /tmp/tb-bench.lock npx tsx bench/load.ts [--quick]
 *
 * The target is a minimal Node HTTP server in a process of its own. The tools take turns (autocannon, then
 * turbulence with 1 and with 2 threads, then a thread that only spins, as the event-loop baseline) for 5 rounds
 * (1 with --quick): each ratio compares runs a few seconds apart, and the table shows medians over the rounds,
 * so a burst of load from other processes moves one round, not one tool. Under 5 minutes in all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { runLoad } from '../packages/turbulence/dist/faults/load/run.js';
import type { EngineConfig } from '../packages/turbulence/dist/faults/load/engine.js';
import { median } from './stats.js';

/** autocannon ships no types: the part of its API this bench calls. */
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<{
  requests: { average: number; total: number };
}>;

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 5;
const SECONDS = quick ? 2 : 5;
const CONNECTIONS = 50;

const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => res.end('ok'));
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.send(s.address().port));
`;

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [port] = (await once(child, 'message')) as [number];
  return { url: `http://127.0.0.1:${port}/`, child };
}

/** CPU time of this process (all its threads) per request, µs: steadier than rates on a shared machine. */
async function cpuPer<T>(fn: () => Promise<T>, count: (t: T) => number): Promise<{ out: T; cpu: number }> {
  const before = process.cpuUsage();
  const out = await fn();
  const used = process.cpuUsage(before);
  return { out, cpu: (used.user + used.system) / Math.max(1, count(out)) };
}

async function cannon(url: string, close: boolean): Promise<{ rps: number; cpu: number }> {
  const { out, cpu } = await cpuPer(
    () =>
      autocannon({
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        ...(close ? { headers: { connection: 'close' } } : {}),
      }),
    (r) => r.requests.total,
  );
  return { rps: out.requests.average, cpu };
}

function config(url: string, requests: number, keepAlive: boolean): EngineConfig {
  return {
    shape: 'burst',
    target: { url },
    clients: CONNECTIONS,
    requests,
    jitterMs: 0,
    timeoutMs: 10_000,
    method: 'GET',
    keepAlive,
    retries: 0,
    backoff: { policy: 'immediate', base: 0, max: 0, jitter: false },
    durationMs: 0,
    intervalMs: 0,
    seed: 1,
  };
}

async function turbulence(url: string, rps: number, keepAlive: boolean, threads: number) {
  const requests = Math.round(rps * SECONDS);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const { out, cpu } = await cpuPer(
    () => runLoad(config(url, requests, keepAlive), threads, new AbortController().signal),
    (o) => o.attempts as number,
  );
  delay.disable();
  return {
    rps: out.requestsPerSecond as number,
    cpu,
    loopP99: delay.percentile(99) / 1e6,
    loopMax: delay.max / 1e6,
  };
}

/**
 * The baseline of the runner's event-loop delay: the same measurement while a worker thread only spins (no load
 * engine, no sockets) for as long as a measure runs. What it shows is the machine's scheduling, which no load
 * engine can go below.
 */
async function spinningThread(): Promise<{ loopP99: number; loopMax: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const code = `const end = Date.now() + ${SECONDS * 1000}; while (Date.now() < end);`;
  await once(new Worker(code, { eval: true }), 'exit');
  delay.disable();
  return { loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
}

const server = await startServer();
try {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  type Row = {
    ac: number[];
    rps: number[];
    ratio: number[];
    acCpu: number[];
    cpu: number[];
    p99: number[];
    max: number[];
  };
  const rows = new Map<string, Row>();
  const row = (key: string): Row => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { ac: [], rps: [], ratio: [], acCpu: [], cpu: [], p99: [], max: [] }));
    return r;
  };
  const measures = [
    ['requests/s, keep-alive', false],
    ['new connections/s (one per request)', true],
  ] as const;
  for (let round = 0; round < RUNS; round += 1) {
    for (const [label, close] of measures) {
      const ac = await cannon(server.url, close);
      for (const threads of [1, 2]) {
        const t = await turbulence(server.url, ac.rps, !close, threads);
        const r = row(`${label} | ${threads}`);
        r.ac.push(ac.rps);
        r.rps.push(t.rps);
        r.ratio.push(t.rps / ac.rps);
        r.acCpu.push(ac.cpu);
        r.cpu.push(t.cpu);
        r.p99.push(t.loopP99);
        r.max.push(t.loopMax);
      }
    }
    const spin = await spinningThread();
    const r = row('baseline: a worker thread that only spins | 1');
    r.p99.push(spin.loopP99);
    r.max.push(spin.loopMax);
  }
  const lines = [...rows].map(([key, r]) => {
    const [label, threads] = key.split(' | ');
    const figures =
      r.ac.length > 0
        ? `${Math.round(median(r.ac))} | ${threads} | ${Math.round(median(r.rps))} | ${median(r.ratio).toFixed(2)}× (${Math.min(...r.ratio).toFixed(2)}-${Math.max(...r.ratio).toFixed(2)}) | ${median(r.acCpu).toFixed(1)} / ${median(r.cpu).toFixed(1)} µs`
        : `– | ${threads} | – | – | –`;
    return `| ${label} | ${figures} | ${median(r.p99).toFixed(1)} ms | ${Math.max(...r.max).toFixed(1)} ms |`;
  });
  process.stdout.write(
    `load average before: ${load}; after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${CONNECTIONS} connections, ${SECONDS} s per run, medians of ${RUNS} rounds\n\n` +
      '| measure | autocannon alone | threads | turbulence load.burst | ratio (min-max) | CPU per request, autocannon / turbulence | runner event-loop delay p99 | max |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- |\n' +
      `${lines.join('\n')}\n`,
  );
} finally {
  server.child.kill();
}
