/**
 * Proxy benchmarks: turbulence's proxy (no toxics, and three no-op toxics per direction) against a direct
 * connection and the minimal Node proxy (bench/proxy-minimal.ts), all measured in this one run, each proxy in its
 * own process. Prints the figures and ratios that go in bench/RESULTS.md under "## Proxy".
 *
 *   npx tsx bench/proxy.ts [--quick] [--only=throughput|http|connect|idle]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connectionsPerSecond, keepAlive, openIdle, serve, throughput } from './proxy-workloads.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const RUNS = quick ? 1 : 3;
const MS = quick ? 800 : 1500;
type Mode = 'direct' | 'pipe' | 'turbulence' | 'turbulence-noop3';
const MODES: Mode[] = ['direct', 'pipe', 'turbulence', 'turbulence-noop3'];
const children: ChildProcess[] = [];

interface Target {
  port: number;
  rss(): Promise<number>;
  /** CPU time (µs, user + system) the proxy process has used so far; 0 for direct. */
  cpu(): Promise<number>;
  stop(): void;
}

/** A workload's result: its headline value and how many units of work it did (for CPU per unit). */
interface Result {
  value: number;
  work: number;
  p50?: number;
  p99?: number;
}

async function target(mode: Mode, upstreamPort: number): Promise<Target> {
  if (mode === 'direct') {
    return { port: upstreamPort, rss: () => Promise.resolve(0), cpu: () => Promise.resolve(0), stop: () => {} };
  }
  const script = fileURLToPath(new URL('./proxy-target.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, mode, String(upstreamPort)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> =>
    JSON.parse((await lines.next()).value as string) as Record<string, number>;
  const { port } = await next();
  return {
    port: port!,
    rss: async () => {
      child.stdin.write('rss\n');
      return (await next()).rss!;
    },
    cpu: async () => {
      child.stdin.write('cpu\n');
      return (await next()).cpu!;
    },
    stop: () => child.stdin.end(),
  };
}

/**
 * Median of `RUNS` runs of `fn` against each mode, interleaved so machine noise hits every mode alike, plus the
 * proxy process's CPU time per unit of work (robust on a busy machine, where wall-clock figures are not).
 */
async function measure<T extends Result>(upstreamPort: number, fn: (port: number) => Promise<T>) {
  const targets = new Map<Mode, Target>();
  for (const mode of MODES) targets.set(mode, await target(mode, upstreamPort));
  const results = new Map<Mode, T[]>(MODES.map((m) => [m, []]));
  const cpu = new Map<Mode, { us: number; work: number }>(MODES.map((m) => [m, { us: 0, work: 0 }]));
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const t = targets.get(mode)!;
      const before = await t.cpu();
      const result = await fn(t.port);
      const used = cpu.get(mode)!;
      used.us += (await t.cpu()) - before;
      used.work += result.work;
      results.get(mode)!.push(result);
    }
  }
  for (const t of targets.values()) t.stop();
  const median = new Map(
    MODES.map((m) => [m, results.get(m)!.sort((a, b) => a.value - b.value)[Math.floor(RUNS / 2)]!]),
  );
  const cpuPerUnit = new Map(MODES.map((m) => [m, cpu.get(m)!.us / Math.max(1, cpu.get(m)!.work)]));
  return { median, cpuPerUnit };
}

function row(label: string, values: Map<Mode, number>, unit: string, higherIsBetter = true): void {
  const pipe = values.get('pipe')!;
  const direct = values.get('direct')!;
  const cells = MODES.map((m) => `${values.get(m)!.toFixed(unit === 'ms' ? 3 : 0)}`);
  const ratio = (m: Mode, base: number): string => (base > 0 ? (values.get(m)! / base).toFixed(2) : '–');
  console.log(
    `| ${label} | ${cells.join(' | ')} | ${ratio('turbulence', pipe)}× / ${ratio('turbulence-noop3', pipe)}× | ` +
      `${ratio('turbulence', direct)}× | ${unit}${higherIsBetter ? '' : ' (lower is better)'} |`,
  );
}

const HEADER =
  '| metric | direct | minimal pipe | turbulence | turbulence + 3 noop/dir | turbulence ÷ pipe (0 / 3 noop) | ' +
  'turbulence ÷ direct | unit |\n|---|---|---|---|---|---|---|---|';

/** The sections, in order; `--only=NAME` runs one. */
const SECTIONS: Record<string, () => Promise<void>> = {
  throughput: benchThroughput,
  http: benchKeepAlive,
  connect: benchConnect,
  idle: () => idleMemory(quick ? 1000 : 9000),
};

async function main(): Promise<void> {
  const load = execFileSync('cat', ['/proc/loadavg']).toString().trim();
  console.log(`proxy bench: ${RUNS} run(s) each, Node ${process.version}, loadavg ${load}`);
  console.log(HEADER);
  for (const [name, run] of Object.entries(SECTIONS)) if (!only || only === name) await run();
}

/** Bulk throughput into a sink that counts bytes. */
async function benchThroughput(): Promise<void> {
  let ended = 0;
  const waiters: (() => void)[] = [];
  const sink = await serve((s) => {
    s.resume();
    s.on('end', () => {
      ended++;
      for (const w of waiters.splice(0)) w();
    });
    s.on('error', () => {});
  });
  const sinkDone = (n: number) => () => {
    const target = ended + n;
    return new Promise<void>((resolve) => {
      const check = (): void => (ended >= target ? resolve() : void waiters.push(check));
      check();
    });
  };
  for (const streams of [1, 4]) {
    const bytes = ((quick ? 64 : 256) * 1024 * 1024) / streams;
    const r = await measure(sink.port, (port) => throughput(port, sinkDone(streams), streams, bytes));
    const label = `${streams} stream${streams > 1 ? 's' : ''}`;
    row(`throughput, ${label}`, pick(r.median, 'value'), 'MB/s');
    row(`proxy CPU per MB, ${label}`, r.cpuPerUnit, 'µs', false);
  }
  sink.server.close();
}

/** HTTP keep-alive against a node:http server. */
async function benchKeepAlive(): Promise<void> {
  const http = createHttpServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('ok'));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const httpPort = (http.address() as AddressInfo).port;
  const responseBytes = await responseSize(httpPort);
  for (const connections of [1, 50]) {
    const r = await measure(httpPort, (port) => keepAlive(port, connections, MS, responseBytes));
    row(`keep-alive req/s, ${connections} conn`, pick(r.median, 'value'), 'req/s');
    row(`keep-alive p50, ${connections} conn`, pick(r.median, 'p50'), 'ms', false);
    row(`keep-alive p99, ${connections} conn`, pick(r.median, 'p99'), 'ms', false);
    row(`proxy CPU per request, ${connections} conn`, r.cpuPerUnit, 'µs', false);
  }
  http.closeAllConnections();
  http.close();
}

/** New connections per second through an echo server. */
async function benchConnect(): Promise<void> {
  const echo = await serve((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  const cps = await measure(echo.port, (port) => connectionsPerSecond(port, 16, MS));
  row('new connections/s (16 concurrent)', pick(cps.median, 'value'), 'conn/s');
  row('proxy CPU per new connection', cps.cpuPerUnit, 'µs', false);
  echo.server.close();
}

function pick(results: Map<Mode, Result>, key: 'value' | 'p50' | 'p99'): Map<Mode, number> {
  return new Map(MODES.map((m) => [m, results.get(m)![key] ?? 0]));
}

async function responseSize(port: number): Promise<number> {
  const { connect } = await import('node:net');
  const socket = connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n');
  const [data] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return data.length;
}

async function idleMemory(wanted: number): Promise<void> {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  const count = Math.min(wanted, Math.floor((limit - 500) / 2));
  if (count < wanted) console.log(`(ulimit -n is ${limit}: ${count} idle connections instead of ${wanted})`);
  let accepted = 0;
  const held = await serve((s) => {
    accepted++;
    s.on('error', () => {});
  });
  const perConnection = new Map<Mode, number>([['direct', 0]]);
  for (const mode of MODES.slice(1)) {
    const t = await target(mode, held.port);
    const before = await t.rss();
    accepted = 0;
    const sockets = await openIdle(t.port, count);
    while (accepted < count) await new Promise((r) => setTimeout(r, 50));
    const after = await t.rss();
    perConnection.set(mode, (after - before) / count / 1024);
    for (const s of sockets) s.destroy();
    t.stop();
    await new Promise((r) => setTimeout(r, 500));
  }
  row(`RSS per idle connection (${count} open)`, perConnection, 'KiB', false);
  held.server.close();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    setTimeout(() => process.exit(), 200).unref();
  });
