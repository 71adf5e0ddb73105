/**
 * Load-generator benchmark (`load.*`): the ceiling of turbulence's load engine (requests/s on keep-alive
 * connections, new connections/s with one connection per request) against `autocannon` run alone in the same
 * bench run against the same server, and the runner's event-loop delay (`monitorEventLoopDelay`) while a burst
 * runs in the worker threads. Prints the figures that go in bench/RESULTS.md under "## Load".
 *
 *   npm run build && flock /tmp/tb-bench.lock npx tsx bench/load.ts [--quick]
 *
 * The target is a minimal Node HTTP server in a process of its own. Each measure runs 3 times (1 with --quick)
 * and keeps the best, for both tools alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { runLoad } from '../packages/turbulence/dist/faults/load/run.js';
import type { EngineConfig } from '../packages/turbulence/dist/faults/load/engine.js';

/** autocannon ships no types: the part of its API this bench calls. */
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<{
  requests: { average: number };
}>;

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
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

async function cannon(url: string, close: boolean): Promise<number> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(close ? { headers: { connection: 'close' } } : {}),
  });
  return result.requests.average;
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
  const out = await runLoad(config(url, requests, keepAlive), threads, new AbortController().signal);
  delay.disable();
  return { rps: out.requestsPerSecond as number, loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
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

const best = async <T>(fn: () => Promise<T>, key: (t: T) => number): Promise<T> => {
  let top: T | undefined;
  for (let i = 0; i < RUNS; i += 1) {
    const r = await fn();
    if (top === undefined || key(r) > key(top)) top = r;
  }
  return top!;
};

const server = await startServer();
try {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const rows: string[] = [];
  for (const [label, close] of [
    ['requests/s, keep-alive', false],
    ['new connections/s (one per request)', true],
  ] as const) {
    const ac = await best(
      () => cannon(server.url, close),
      (x) => x,
    );
    for (const threads of [1, 2]) {
      const t = await best(
        () => turbulence(server.url, ac, !close, threads),
        (x) => x.rps,
      );
      rows.push(
        `| ${label} | ${Math.round(ac)} | ${threads} | ${t.rps} | ${(t.rps / ac).toFixed(2)}× | ${t.loopP99.toFixed(1)} ms | ${t.loopMax.toFixed(1)} ms |`,
      );
    }
  }
  const spin = await spinningThread();
  rows.push(
    `| baseline: a worker thread that only spins | – | 1 | – | – | ${spin.loopP99.toFixed(1)} ms | ${spin.loopMax.toFixed(1)} ms |`,
  );
  process.stdout.write(
    `load average before: ${load}; after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${CONNECTIONS} connections, ${SECONDS} s per run, best of ${RUNS}\n\n` +
      '| measure | autocannon alone | threads | turbulence load.burst | ratio | runner event-loop delay p99 | max |\n' +
      '| --- | --- | --- | --- | --- | --- | --- |\n' +
      `${rows.join('\n')}\n`,
  );
} finally {
  server.child.kill();
}
