/**
 * How long the CLI takes to start, against `node -e 0` measured in the same run (issue 13 §5: `turbulence --help`
 * within 2× of it). Uses hyperfine when it is installed, else alternating spawns (A, B, A, B...) so machine noise
 * hits both sides alike; prints the median wall time of each command line and its ratio to `node -e 0`.
 *
 *   npm run build && npx tsx bench/cli-start.ts [--runs=N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/turbulence/bin/turbulence.js', import.meta.url));
const runs = Number(/^--runs=(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 30);
const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['turbulence --help', [BIN, '--help']],
  ['turbulence --version', [BIN, '--version']],
  ['turbulence fault --help', [BIN, 'fault', '--help']],
  ['turbulence run --help', [BIN, 'run', '--help']],
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function hyperfine(): Map<string, number> | undefined {
  try {
    execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const out = execFileSync(
    'hyperfine',
    ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', '/dev/stdout', '--style', 'none'].concat(
      cases.map(([, args]) => [process.execPath, ...args].join(' ')),
    ),
    { encoding: 'utf8' },
  );
  const results = (JSON.parse(out) as { results: { median: number }[] }).results;
  return new Map(cases.map(([name], i) => [name, (results[i]?.median ?? NaN) * 1000]));
}

function spawnLoop(): Map<string, number> {
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let round = -2; round < runs; round++) {
    for (const [name, args] of cases) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
      if (round >= 0) times.get(name)!.push(ms); // two warm-up rounds fill the page cache
    }
  }
  return new Map([...times].map(([name, xs]) => [name, median(xs)]));
}

const before = loadavg()[0]!;
const measured = hyperfine();
const method = measured ? 'hyperfine' : 'spawn loop';
const medians = measured ?? spawnLoop();
const base = medians.get('node -e 0')!;
console.log(
  `${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores  load ${before.toFixed(1)} → ` +
    `${loadavg()[0]!.toFixed(1)}  ${method}, ${runs} runs each (median)`,
);
for (const [name] of cases) {
  const ms = medians.get(name)!;
  console.log(`${name.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}×`);
}
