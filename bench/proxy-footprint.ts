/**
 * Proxy footprint and control plane at scale (issue 24, items 3 and 4), against the built CLI
 * (`packages/turbulence/bin/turbulence.js`, so run `npm run build` first):
 *
 *   npm run build && npx tsx bench/proxy-footprint.ts [--only=footprint|scale] [--proxies=N] [--idle=N] [--settled]
 *
 * footprint:
 * - RSS of `turbulence proxy serve` with no proxies against a bare `node:http` server (median of 3, alternating),
 *   1 s after start and, with `--settled`, after 40 s idle too (three pairs side by side): by then V8's memory reducer
 *   has given back the young generation that module loading grew to 16 MiB, so that figure is the server's lasting
 *   footprint;
 * - RSS growth per defined proxy: the same server before and after a populate of 1,000 idle proxies;
 * - RSS per idle connection through a proxy with no toxics, and with three `latency` toxics per direction,
 *   against the minimal pipe (bench/proxy-target.ts, RSS after a GC).
 *
 * scale:
 * - one proxy carries a 64-byte echo ping-pong; its round-trip p50/p99 before and during a populate of `--proxies`
 *   (10,000) proxies;
 * - the populate's wall time against creating the same proxies one by one (`POST /proxies`, sequential, on a fresh
 *   server), and `GET /proxies` with all of them: time to the last byte, median of 10 after 3 warm-up requests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openIdle, serve } from './proxy-workloads.js';
import { runBench } from './host.js';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = arg('only');
const PROXIES = Number(arg('proxies') ?? 10_000);
const IDLE = Number(arg('idle') ?? 4000);
const BIN = fileURLToPath(new URL('../packages/turbulence/bin/turbulence.js', import.meta.url));
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

/** Starts `turbulence proxy serve --port 0`; resolves with its pid and API URL once it answers. */
async function startServe(): Promise<{ pid: number; url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'proxy', 'serve', '--port', '0', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /(http:\/\/[\d.]+:\d+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error('proxy serve exited')));
  });
  return {
    pid: child.pid!,
    url,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function startBareHttp(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const code = "require('node:http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',()=>console.log('ready'))";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(createInterface({ input: child.stdout }), 'line');
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

const proxiesOf = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }));

async function footprint(): Promise<void> {
  const serveKiB: number[] = [];
  const httpKiB: number[] = [];
  for (let i = 0; i < 3; i++) {
    const h = await startBareHttp();
    await sleep(1000);
    httpKiB.push(rssKiB(h.pid));
    await h.stop();
    const s = await startServe();
    await sleep(1000);
    serveKiB.push(rssKiB(s.pid));
    await s.stop();
  }
  const serveMiB = median(serveKiB) / 1024;
  const httpMiB = median(httpKiB) / 1024;
  console.log(
    `| RSS, proxy serve with 0 proxies | ${serveMiB.toFixed(1)} MiB | bare node:http ${httpMiB.toFixed(1)} MiB |`,
  );
  console.log(`| ratio proxy serve ÷ node:http | ${(serveMiB / httpMiB).toFixed(2)}× | goal ≤ 1.3× |`);
  if (process.argv.includes('--settled')) {
    const pairs = await Promise.all([0, 1, 2].map(async () => [await startBareHttp(), await startServe()] as const));
    await sleep(40_000);
    const settled = pairs.map(([h, s]) => [rssKiB(h.pid), rssKiB(s.pid)] as const);
    for (const [h, s] of pairs) await Promise.all([h.stop(), s.stop()]);
    const h40 = median(settled.map((x) => x[0])) / 1024;
    const s40 = median(settled.map((x) => x[1])) / 1024;
    console.log(`| RSS after 40 s idle, proxy serve | ${s40.toFixed(1)} MiB | bare node:http ${h40.toFixed(1)} MiB |`);
    console.log(`| ratio after 40 s idle | ${(s40 / h40).toFixed(2)}× | goal ≤ 1.3× |`);
  }

  const s = await startServe();
  await api(s.url, 'POST', '/populate', proxiesOf(10, 'warm')); // first-use code paths (validation, binds)
  await sleep(1000);
  const before = rssKiB(s.pid);
  await api(s.url, 'POST', '/populate', proxiesOf(1000, 'idle'));
  await sleep(1500);
  const perProxy = (rssKiB(s.pid) - before) / 1000;
  await s.stop();
  console.log(`| RSS growth per defined idle proxy (10 → 1,010) | ${perProxy.toFixed(1)} KiB | goal ≤ 15 KiB |`);

  let accepted = 0;
  const held = await serve((socket) => {
    accepted++;
    socket.on('error', () => {});
  });
  for (const mode of ['pipe', 'turbulence', 'turbulence-latency3']) {
    const script = fileURLToPath(new URL('./proxy-target.ts', import.meta.url));
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, mode, String(held.port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, number>;
    const { port } = await next();
    const rss = async () => {
      child.stdin.write('rss\n');
      return (await next()).rss!;
    };
    const warm = await openIdle(port!, 200); // first connection code paths
    while (accepted < 200) await sleep(50);
    for (const w of warm) w.destroy();
    await sleep(300);
    accepted = 0;
    const r0 = await rss();
    const sockets = await openIdle(port!, IDLE);
    while (accepted < IDLE) await sleep(50);
    const kib = ((await rss()) - r0) / IDLE / 1024;
    for (const socket of sockets) socket.destroy();
    child.stdin.end();
    await once(child, 'exit');
    console.log(`| RSS per idle connection, ${mode} (${IDLE} open) | ${kib.toFixed(1)} KiB | latency3 goal ≤ 12 KiB |`);
  }
  held.server.close();
}

/** A 64-byte echo round trip in a loop through `port`; returns the latencies (ms) until `stop()`. */
function pingLoop(port: number): { stop: () => Promise<number[]>; mark: () => number[] } {
  const latencies: number[] = [];
  let running = true;
  const payload = Buffer.alloc(64, 7);
  const done = (async () => {
    const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await once(socket, 'connect');
    while (running) {
      const t = performance.now();
      socket.write(payload);
      let got = 0;
      while (got < payload.length) got += ((await once(socket, 'data')) as [Buffer])[0].length;
      latencies.push(performance.now() - t);
      await sleep(1);
    }
    socket.destroy();
  })();
  return {
    mark: () => latencies.splice(0),
    stop: async () => {
      running = false;
      await done;
      return latencies.splice(0);
    },
  };
}

/** Milliseconds from sending a GET to its last byte (node:http, no body parsing). */
function timeGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t));
    }).on('error', reject);
  });
}

async function scale(): Promise<void> {
  const echo = await serve((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const s = await startServe();
  const live = (await api(s.url, 'POST', '/proxies', {
    name: 'live',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${echo.port}`,
  })) as { listen: string };
  const ping = pingLoop(Number(live.listen.slice(live.listen.lastIndexOf(':') + 1)));
  await sleep(2000);
  const idle = ping.mark();
  let t = performance.now();
  await api(s.url, 'POST', '/populate', proxiesOf(PROXIES, 'p'));
  const populateMs = performance.now() - t;
  const during = ping.mark();
  const list = (await api(s.url, 'GET', '/proxies')) as Record<string, unknown>;
  if (Object.keys(list).length !== PROXIES + 1) throw new Error('GET /proxies: wrong count');
  const listMs: number[] = [];
  for (let i = 0; i < 13; i++) {
    const ms = await timeGet(`${s.url}/proxies`);
    if (i >= 3) listMs.push(ms); // the first three warm the JIT
  }
  await ping.stop();
  await s.stop();

  const s2 = await startServe();
  t = performance.now();
  for (const p of proxiesOf(PROXIES, 'p')) await api(s2.url, 'POST', '/proxies', p);
  const oneByOneMs = performance.now() - t;
  await s2.stop();
  echo.server.close();
  const f = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(2)} / p99 ${pct(xs, 0.99).toFixed(2)} ms (${xs.length})`;
  console.log(`| live proxy echo round trip, idle server | ${f(idle)} |`);
  console.log(`| live proxy echo round trip, during populate of ${PROXIES} | ${f(during)} |`);
  console.log(
    `| populate of ${PROXIES} | ${(populateMs / 1000).toFixed(2)} s | one by one ${(oneByOneMs / 1000).toFixed(2)} s | ` +
      `ratio ${(populateMs / oneByOneMs).toFixed(2)}× (goal ≤ 2×) |`,
  );
  console.log(
    `| GET /proxies with ${PROXIES + 1}, to the last byte (10 after 3 warm-up) | median ${median(listMs).toFixed(1)} ms, max ${Math.max(...listMs).toFixed(1)} ms (goal < 50 ms) |`,
  );
}

async function main(): Promise<void> {
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(
    `proxy footprint/scale: Node ${process.version}, loadavg ${load}, ulimit -n ${execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()}`,
  );
  if (!only || only === 'footprint') await footprint();
  if (!only || only === 'scale') await scale();
  console.log(`loadavg at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

runBench(main, children);
