/**
 * Cost of failpoints and of the register hook, each against a baseline measured in the same script:
 *
 *   micro    a disabled `failpoint(name)` vs an empty function call (goal: within 2 ns), with another failpoint on
 *            (one Map lookup), and an enabled failpoint whose action does nothing (`off`);
 *   wrapper  the rules wrapper around a no-op with a rule on the target that does not match, vs the bare no-op;
 *   count    instructions per `fs.promises.readFile` / `http.get`, original vs wrapped with a non-matching rule,
 *            counted by valgrind (callgrind) on the main thread of one process running both sides in alternating
 *            blocks (`failpoints-count.mjs`, on the build: run `npm run build` first). Deterministic up to GC and JIT
 *            timing; kernel work and the libuv pool are not counted, so the ratio is an upper bound of the
 *            wrapper's share (goal: under 2 %);
 *   ab       CPU time per call, original vs wrapped, in many short alternating rounds (AB, BA, ...); the median of
 *            the per-round ratios with a bootstrap 95 % confidence interval (goal: under 2 %).
 *
 * The rule is set once and both sides run in the same process: side A calls the original function (kept aside
 * before the rule was set), side B calls through the patched module property. The HTTP server runs in a child
 * process on a random 127.x.y.z address, so its CPU time is not part of the request's cost.
 *
 *   npm run build && npx tsx bench/failpoints.ts [--quick] [--only=micro,wrapper,count,ab] [--verbose]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure, failpoint, remove } from '../packages/failpoints/src/index.js';
import { rulesEngine } from '../packages/failpoints/src/rules/engine.js';
import { bootstrapMedian, median } from './stats.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.replace(/^--[^=]+=?/, '');
const quick = flag('quick') !== undefined;
const only = flag('only')?.split(',');
const wanted = (part: string): boolean => !only || only.includes(part);

const GOAL_PERCENT = 2;
const pct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(2)} %`;

// ---------------------------------------------------------------------------------------------------------------
// micro: failpoint() per call

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
  const calls = quick ? 5_000_000 : 20_000_000;
  const rounds = 7;
  const cases: [string, () => void, () => void][] = [
    ['disabled (nothing configured)', () => {}, () => {}],
    ['disabled (another failpoint on)', () => configure('other', 'off'), () => remove('other')],
    ['enabled, action off', () => configure('bench.point', 'off'), () => remove('bench.point')],
  ];
  console.log(`\n## failpoint() per call (${calls / 1e6}M calls x ${rounds} rounds, median)`);
  let disabledDelta = NaN;
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
    if (Number.isNaN(disabledDelta)) disabledDelta = f - b;
    console.log(
      `${label.padEnd(34)} empty fn ${b.toFixed(2)} ns  failpoint ${f.toFixed(2)} ns  delta ${(f - b).toFixed(2)} ns  ratio ${(f / b).toFixed(2)}x`,
    );
  }
  console.log(
    `goal: a disabled failpoint within 2 ns of an empty call: ${disabledDelta <= 2 ? 'MET' : 'NOT MET'} (${disabledDelta.toFixed(2)} ns)`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// wrapper: CPU per call of the wrapper around a no-op

interface WrapperCase {
  label: string;
  owner: Record<string, unknown>;
  key: string;
  rule: { target: string; when: Record<string, string | number>; action: string };
  args: unknown[];
}

function wrapperCost(): void {
  const engine = rulesEngine();
  const opts = { host: '127.0.0.1', port: 8080, path: '/x' };
  const cases: WrapperCase[] = [
    {
      label: 'fs.promises.readFile, when.path',
      owner: fsp,
      key: 'readFile',
      rule: { target: 'fs.promises.readFile', when: { path: '/elsewhere/**' }, action: 'error(EIO)' },
      args: ['/data/file.txt'],
    },
    {
      label: 'http.get(options), when.host',
      owner: http,
      key: 'get',
      rule: { target: 'http.get', when: { host: 'elsewhere.example' }, action: 'error(ECONNREFUSED)' },
      args: [opts, () => {}],
    },
    {
      label: 'http.get(options), when.url',
      owner: http,
      key: 'get',
      rule: { target: 'http.get', when: { url: 'http://elsewhere.example/**' }, action: 'error(ECONNREFUSED)' },
      args: [opts, () => {}],
    },
    {
      label: 'http.get(url string), when.host',
      owner: http,
      key: 'get',
      rule: { target: 'http.get', when: { host: 'elsewhere.example' }, action: 'error(ECONNREFUSED)' },
      args: ['http://127.0.0.1:8080/x', () => {}],
    },
  ];
  const calls = quick ? 500_000 : 2_000_000;
  console.log(`\n## rules wrapper around a no-op, a rule on the target that does not match (median of 7 x ${calls})`);
  for (const c of cases) {
    const original = c.owner[c.key];
    const noop = (_a?: unknown, _b?: unknown): undefined => undefined;
    c.owner[c.key] = noop;
    engine.set('w', c.rule);
    const wrapped = c.owner[c.key] as typeof noop;
    const [a0, a1] = c.args;
    const loop = (fn: typeof noop): number => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) fn(a0, a1);
      return Number(process.hrtime.bigint() - t0) / calls;
    };
    const base: number[] = [];
    const wrap: number[] = [];
    for (let r = 0; r < 7; r++) {
      base.push(loop(noop));
      wrap.push(loop(wrapped));
    }
    engine.remove('w');
    c.owner[c.key] = original;
    console.log(
      `${c.label.padEnd(34)} bare ${median(base).toFixed(1)} ns  wrapped ${median(wrap).toFixed(1)} ns  ` +
        `wrapper ${(median(wrap) - median(base)).toFixed(1)} ns per call`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Workloads shared by `count` and `ab`: the original function and the patched one, same arguments.

interface Workload {
  label: string;
  /** Side A: the original function, called directly. */
  original: () => Promise<unknown>;
  /** Side B: through the module property (the wrapper once the rule is set). */
  patched: () => Promise<unknown>;
  /** Sets the non-matching rule; returns its removal. */
  setRule: () => () => void;
  close: () => void;
}

const WORKLOADS = ['readFile', 'http.get'] as const;
type WorkloadName = (typeof WORKLOADS)[number];

function readFileWorkload(): Workload {
  const dir = mkdtempSync(join(tmpdir(), 'fp-bench-'));
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'x'.repeat(1024));
  const plain = { readFile: fsp.readFile };
  return {
    label: 'fs.promises.readFile 1 KiB',
    original: () => plain.readFile(file),
    patched: () => fsp.readFile(file),
    setRule: () => {
      rulesEngine().set('r', { target: 'fs.promises.readFile', when: { path: '/elsewhere/**' }, action: 'error(EIO)' });
      return () => rulesEngine().remove('r');
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function httpWorkload(address: string): Workload {
  const [host = '', port = ''] = address.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const opts = { host, port: Number(port), path: '/', agent };
  const plain = { get: http.get };
  type Get = (o: typeof opts, cb: (res: http.IncomingMessage) => void) => http.ClientRequest;
  const viaGet = (get: Get) => () =>
    new Promise<void>((resolve, reject) => {
      get(opts, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  return {
    label: 'http.get keep-alive, server in a child',
    original: viaGet((o, cb) => plain.get(o, cb)),
    patched: viaGet((o, cb) => http.get(o, cb)),
    setRule: () => {
      rulesEngine().set('h', {
        target: 'http.get',
        when: { host: 'elsewhere.example' },
        action: 'error(ECONNREFUSED)',
      });
      return () => rulesEngine().remove('h');
    },
    close: () => agent.destroy(),
  };
}

function workload(name: WorkloadName, httpAddress: string): Workload {
  return name === 'readFile' ? readFileWorkload() : httpWorkload(httpAddress);
}

/** A keep-alive HTTP server in a child process on a random 127.x.y.z address; resolves to "host:port". */
async function startServer(): Promise<{ address: string; child: ChildProcess }> {
  const r = () => 1 + Math.floor(Math.random() * 250);
  const host = `127.${r()}.${r()}.${r()}`;
  const code = `require('http').createServer((q, s) => s.end('ok')).listen(0, ${JSON.stringify(host)}, function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
  return { address: `${host}:${port}`, child };
}

// ---------------------------------------------------------------------------------------------------------------
// count: instructions per call under valgrind (callgrind)

/**
 * Runs `bench/failpoints-count.mjs` under callgrind; returns the main thread's instructions in each block, in order
 * (the wrapper runs on the main thread; the libuv pool and V8's helper threads are not counted on either side).
 */
async function callgrindBlocks(args: string[], blocks: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fp-callgrind-'));
  try {
    const out = join(dir, 'cg.out');
    const err = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'valgrind',
        [
          '--tool=callgrind',
          '--smc-check=all-non-file',
          '--dump-before=getpriority',
          '--separate-threads=yes',
          `--callgrind-out-file=${out}`,
          ...args,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let text = '';
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`valgrind exited with ${code}:\n${text.slice(-2000)}`)),
      );
    });
    if (!/Collected : \d+/.test(err)) throw new Error(`no callgrind summary:\n${err.slice(-2000)}`);
    // Dumps are cg.out.<part>-<thread> (thread 01 is the main thread); the last `blocks` parts are the blocks (the
    // part before them is start-up and warm-up).
    const parts = readdirSync(dir)
      .map((f) => /^cg\.out\.(\d+)-01$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
      .slice(-blocks);
    if (parts.length !== blocks) throw new Error(`expected ${blocks} dumps, found ${parts.length}`);
    return parts.map((k) => {
      const m = /^summary: (\d+)$/m.exec(readFileSync(`${out}.${k}-01`, 'utf8'));
      if (!m) throw new Error(`no summary in dump ${k}`);
      return Number(m[1]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function count(address: string): Promise<void> {
  if (!process.env.PATH?.split(':').some((d) => existsSync(join(d, 'valgrind')))) {
    console.log('\n## instructions per call (callgrind): skipped, valgrind is not installed');
    return;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const built = join(root, 'packages/failpoints/dist/rules/engine.js');
  const source = join(root, 'packages/failpoints/src/rules/engine.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
    console.log('\n## instructions per call (callgrind): skipped, run `npm run build` first (it measures the build)');
    return;
  }
  // Blocks much longer than the interval between young-generation GCs, so that each holds about as many of them.
  const warm = quick ? 300 : 2000;
  const blocks = quick ? 8 : 16;
  const calls = quick ? 100 : 600;
  const child = fileURLToPath(new URL('./failpoints-count.mjs', import.meta.url));
  console.log(
    `\n## instructions per call (valgrind callgrind; one process: ${warm} warm-up calls of each side, then ` +
      `${blocks} blocks of ${calls} calls in the order A B B A ...; median of the paired blocks' ratios, ` +
      'bootstrap 95 % CI; instructions of the main thread)',
  );
  for (const name of WORKLOADS) {
    const per = await callgrindBlocks(
      [process.execPath, child, name, String(warm), String(blocks), String(calls), address],
      blocks,
    );
    const a: number[] = [];
    const b: number[] = [];
    per.forEach((x, k) => ((k & 1) === ((k >> 1) & 1) ? a : b).push(x / calls));
    const ratios = b.map((x, i) => x / (a[i] ?? NaN));
    const m = median(ratios);
    const [lo, hi] = bootstrapMedian(ratios);
    if (flag('verbose') !== undefined)
      console.log(`  per block (A B B A ...): ${per.map((x) => (x / calls).toFixed(0)).join(' ')}`);
    console.log(
      `${name.padEnd(10)} original ${median(a).toFixed(0)} instr/call  wrapped ${median(b).toFixed(0)} instr/call  ` +
        `overhead ${pct(m)} [${pct(lo)}, ${pct(hi)}]  goal < ${GOAL_PERCENT} %: ${verdict(lo, hi)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ab: CPU time per call in alternating rounds, bootstrap confidence interval of the median ratio

async function cpuPerCall(n: number, op: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await op();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

function verdict(lo: number, hi: number): string {
  if ((hi - 1) * 100 < GOAL_PERCENT) return 'MET (the whole interval is below 2 %)';
  if ((lo - 1) * 100 >= GOAL_PERCENT) return 'NOT MET (the whole interval is at or above 2 %)';
  return 'NOT SHOWN (the interval straddles 2 %)';
}

async function ab(address: string): Promise<void> {
  const rounds = quick ? 40 : 300;
  const n = 100;
  console.log(
    `\n## CPU time per call, A/B (${rounds} alternating rounds of ${n} calls per side; median ratio, bootstrap 95 % CI)`,
  );
  for (const name of WORKLOADS) {
    const w = workload(name, address);
    const unset = w.setRule();
    await cpuPerCall(n * 5, w.original); // warm up both sides
    await cpuPerCall(n * 5, w.patched);
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let ta: number;
      let tb: number;
      if (r % 2 === 0) {
        ta = await cpuPerCall(n, w.original);
        tb = await cpuPerCall(n, w.patched);
      } else {
        tb = await cpuPerCall(n, w.patched);
        ta = await cpuPerCall(n, w.original);
      }
      a.push(ta);
      b.push(tb);
      ratios.push(tb / ta);
    }
    unset();
    w.close();
    const m = median(ratios);
    const [lo, hi] = bootstrapMedian(ratios);
    const aa = median(a);
    const bb = median(b);
    console.log(
      `${w.label.padEnd(40)} original ${aa.toFixed(1)} us  wrapped ${bb.toFixed(1)} us  overhead ${pct(m)} ` +
        `[${pct(lo)}, ${pct(hi)}]  goal < ${GOAL_PERCENT} %: ${verdict(lo, hi)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------

{
  console.log(
    `# failpoints bench (node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}${quick ? ', --quick' : ''})`,
  );
  if (wanted('micro')) micro();
  if (wanted('wrapper')) wrapperCost();
  if (wanted('count') || wanted('ab')) {
    const server = await startServer();
    try {
      if (wanted('count'))
        await count(server.address).catch((err: Error) => console.log(`count failed: ${err.message}`));
      if (wanted('ab')) await ab(server.address);
    } finally {
      server.child.kill();
    }
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}
