/**
 * Cost of failpoints and of the register hook, each against a baseline measured in the same process:
 *
 *   1. a disabled `failpoint(name)` vs an empty function call (goal: within 2 ns), with another failpoint on
 *      (one Map lookup), and an enabled failpoint whose action does nothing (`off`);
 *   2. `fs.promises.readFile` and an HTTP request with the rules engine's wrapper installed and no rule matching,
 *      vs the original functions (goal: under 2 %). Rounds alternate A/B to spread machine noise over both.
 *
 *   npx tsx bench/failpoints.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, failpoint, remove } from '../packages/failpoints/src/index.js';
import { rulesEngine } from '../packages/failpoints/src/rules/engine.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// Kept out of line so the baseline is a real call, like failpoint() is.
function empty(name: string): string | undefined {
  return name.length === -1 ? name : undefined;
}

// One loop per callee, so each call site stays monomorphic (as a real failpoint site is) and V8 may inline it.
function loopEmpty(calls: number): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (empty('bench.point') !== undefined) sink++;
  return report(t0, calls, sink);
}

function loopFailpoint(calls: number): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (failpoint('bench.point') !== undefined) sink++;
  return report(t0, calls, sink);
}

function report(t0: bigint, calls: number, sink: number): number {
  if (sink === -1) console.log(sink);
  return Number(process.hrtime.bigint() - t0) / calls;
}

function micro(): void {
  const calls = 20_000_000;
  const rounds = 7;
  const cases: [string, () => void, () => void][] = [
    ['disabled (nothing configured)', () => {}, () => {}],
    ['disabled (another failpoint on)', () => configure('other', 'off'), () => remove('other')],
    ['enabled, action off', () => configure('bench.point', 'off'), () => remove('bench.point')],
  ];
  console.log(`\n## failpoint() per call (${calls / 1e6}M calls x ${rounds} rounds, median)`);
  for (const [label, setup, teardown] of cases) {
    const base: number[] = [];
    const fp: number[] = [];
    setup();
    for (let r = 0; r < rounds; r++) {
      base.push(loopEmpty(calls));
      fp.push(loopFailpoint(calls));
    }
    teardown();
    const b = median(base);
    const f = median(fp);
    console.log(
      `${label.padEnd(34)} empty fn ${b.toFixed(2)} ns  failpoint ${f.toFixed(2)} ns  delta ${(f - b).toFixed(2)} ns  ratio ${(f / b).toFixed(2)}x`,
    );
  }
}

/** CPU time (user + system, all threads of the process) per operation, in microseconds: less sensitive than
 * wall-clock time to other processes competing for the two cores. */
async function timeIt(n: number, op: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await op();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function abRounds(
  label: string,
  n: number,
  rounds: number,
  op: () => Promise<unknown>,
  install: () => void,
  uninstall: () => void,
): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  await timeIt(n, op); // warm up
  for (let r = 0; r < rounds; r++) {
    // Alternate the order (AB, BA, ...) so drift in machine load falls on both sides.
    const first = r % 2 === 0 ? 'a' : 'b';
    let ta = 0;
    let tb = 0;
    for (const side of first === 'a' ? ['a', 'b'] : ['b', 'a']) {
      if (side === 'b') install();
      const t = await timeIt(n, op);
      if (side === 'b') uninstall();
      if (side === 'a') ta = t;
      else tb = t;
    }
    a.push(ta);
    b.push(tb);
    ratios.push(tb / ta);
  }
  const overhead = (median(ratios) - 1) * 100;
  console.log(
    `${label.padEnd(34)} original ${median(a).toFixed(1)} us CPU  wrapped ${median(b).toFixed(1)} us CPU  ` +
      `overhead ${overhead.toFixed(2)} % (median of ${rounds} paired rounds)`,
  );
}

/** CPU cost of the wrapper itself: a patched no-op with a non-matching rule vs the bare no-op. */
function wrapperCost(): void {
  const engine = rulesEngine();
  const owner = fsp as unknown as Record<string, unknown>;
  const original = owner.readFile;
  const noop = (_path: string): Promise<undefined> | undefined => undefined;
  const calls = 2_000_000;
  const loop = (fn: (p: string) => unknown): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn('/data/file.txt');
    return Number(process.hrtime.bigint() - t0) / calls;
  };
  owner.readFile = noop;
  engine.set('w', { target: 'fs.promises.readFile', when: { path: '/elsewhere/**' }, action: 'error(EIO)' });
  const wrapped = owner.readFile as (p: string) => unknown;
  engine.remove('w');
  owner.readFile = original;
  const base: number[] = [];
  const wrap: number[] = [];
  for (let r = 0; r < 7; r++) {
    base.push(loop(noop));
    wrap.push(loop(wrapped));
  }
  console.log(
    `\n## rules wrapper, CPU per call with a non-matching path rule: ${(median(wrap) - median(base)).toFixed(0)} ns ` +
      `(bare ${median(base).toFixed(1)} ns, wrapped ${median(wrap).toFixed(1)} ns)`,
  );
}

async function hook(): Promise<void> {
  const engine = rulesEngine();
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-'));
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'x'.repeat(1024));
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  console.log('\n## register hook, a rule on the target that does not match (paired A/B rounds)');
  await abRounds(
    'fs.promises.readFile 1 KiB',
    3000,
    21,
    () => fsp.readFile(file),
    () =>
      void engine.set('r', { target: 'fs.promises.readFile', when: { path: '/elsewhere/**' }, action: 'error(EIO)' }),
    () => engine.remove('r'),
  );
  await abRounds(
    'http.get keep-alive 127.0.0.1',
    1500,
    21,
    get,
    () =>
      void engine.set('h', { target: 'http.get', when: { host: 'elsewhere.example' }, action: 'error(ECONNREFUSED)' }),
    () => engine.remove('h'),
  );
  agent.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`# failpoints bench (node ${process.version}, ${new Date().toISOString()})`);
micro();
wrapperCost();
await hook();
