/**
 * Provider and tolerance overhead: each provider against the plain Node call that does the same work, measured
 * in this script, interleaved, median of rounds. Prints ratios.
 *
 *   npx tsx bench/providers.ts
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import { checkTolerance } from '../packages/turbulence/src/experiment/tolerance.js';
import type { Provider, Tolerance } from '../packages/turbulence/src/experiment/types.js';
import { getProvider } from '../packages/turbulence/src/providers/index.js';
import type { ProviderContext } from '../packages/turbulence/src/providers/types.js';

const ROUNDS = 7;

async function timePer(n: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - started) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function compare(name: string, n: number, baseline: () => Promise<unknown>, measured: () => Promise<unknown>) {
  await baseline();
  await measured(); // warm up: first loads, JIT
  const b: number[] = [];
  const m: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await timePer(n, baseline));
    m.push(await timePer(n, measured));
  }
  const [mb, mm] = [median(b), median(m)];
  const fmt = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
  console.log(`| ${name} | ${fmt(mb)} | ${fmt(mm)} | ${(mm / mb).toFixed(2)}x | +${fmt(Math.max(0, mm - mb))} |`);
}

const dir = mkdtempSync(join(tmpdir(), 'turb-bench-providers-'));
writeFileSync(join(dir, 'noop.mjs'), 'export const noop = () => 1;\n');
writeFileSync(join(dir, 'noop.ts'), 'export const noop = (): number => 1;\n');
const ctx: ProviderContext = {
  configuration: {},
  secrets: {},
  signal: new AbortController().signal,
  baseDir: dir,
  rng: new Rng(1),
  strict: false,
};
const run = (p: Provider): Promise<unknown> => getProvider(p.type).run(p, ctx);

const http = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":1}'));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
const tcp = createTcpServer((s) => s.end());
await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
const tcpPort = (tcp.address() as AddressInfo).port;
const noop = () => 1;
const exec = (file: string, args: string[]) =>
  new Promise((resolve, reject) => execFile(file, args, (e, out) => (e ? reject(new Error(e.message)) : resolve(out))));

console.log('| provider / tolerance | baseline | turbulence | ratio | overhead |');
console.log('| --- | --- | --- | --- | --- |');
try {
  await compare(
    'module .mjs vs direct call',
    200,
    () => Promise.resolve(noop()),
    () => run({ type: 'module', module: './noop.mjs', func: 'noop' }),
  );
  await compare(
    'module .ts (loaded once) vs module .mjs',
    200,
    () => run({ type: 'module', module: './noop.mjs', func: 'noop' }),
    () => run({ type: 'module', module: './noop.ts', func: 'noop' }),
  );
  await compare(
    'http GET vs fetch()',
    50,
    async () => (await fetch(httpUrl)).json(),
    () => run({ type: 'http', url: httpUrl }),
  );
  await compare(
    'tcp vs net.connect',
    50,
    () =>
      new Promise<void>((resolve, reject) => {
        const s = connect(tcpPort, '127.0.0.1', () => (s.destroy(), resolve()));
        s.once('error', reject);
      }),
    () => run({ type: 'tcp', host: '127.0.0.1', port: tcpPort }),
  );
  await compare(
    'process `true` vs execFile',
    10,
    () => exec('/bin/true', []),
    () => run({ type: 'process', path: 'true' }),
  );
  await compare(
    'python os.path.exists vs python3 -c',
    3,
    () => exec('python3', ['-c', 'import os.path']),
    () => run({ type: 'python', module: 'os.path', func: 'exists', arguments: { path: '/' } }),
  );
  const out = { status: 200, headers: {}, body: '{"items":[{"a":"x"},{"a":"y"}],"error":null}' };
  const sub = { substitute: (v: unknown) => v };
  const tol = (t: Tolerance) => () => checkTolerance(t, out, sub);
  await compare('tolerance 200 vs ===', 2000, () => Promise.resolve(out.status === 200), tol(200));
  await compare(
    'tolerance jsonpath (text body) vs JSON.parse',
    2000,
    () => Promise.resolve(JSON.parse(out.body) as unknown),
    tol({
      type: 'jsonpath',
      target: 'body',
      path: '$.items[*][?(@.a = "x")]',
      count: 1,
    }),
  );
} finally {
  http.closeAllConnections();
  http.close();
  tcp.close();
  rmSync(dir, { recursive: true, force: true });
}
