/**
 * The python provider's cost per call: one python3 worker per run (what turbulence does now) against a new
 * python3 process per call (what it did before, and the baseline), same shim, same machine, same run,
 * interleaved rounds. Each call runs `os.path.exists("/")`. Prints per-call medians and p90 and the ratio.
 *
 *   npx tsx bench/python-worker.ts [--calls=N] [--rounds=N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import { runPython, stopPythonWorker } from '../packages/turbulence/src/providers/python.js';
import type { ProviderContext } from '../packages/turbulence/src/providers/types.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const CALLS = arg('calls', 20);
const ROUNDS = arg('rounds', 5);

const dir = mkdtempSync(join(tmpdir(), 'turb-bench-python-'));
const ctx: ProviderContext = {
  configuration: {},
  secrets: {},
  signal: new AbortController().signal,
  baseDir: dir,
  rng: new Rng(1),
  strict: false,
};
const probe = { type: 'python', module: 'os.path', func: 'exists', arguments: { path: '/' } } as const;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const perProcess: number[] = [];
const worker: number[] = [];
let firstWorkerCall = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < CALLS; i++) {
    // baseline: a fresh interpreter for this one call
    perProcess.push(
      await timed(async () => {
        stopPythonWorker();
        await runPython(probe, ctx);
      }),
    );
  }
  stopPythonWorker();
  const start = await timed(() => runPython(probe, ctx)); // the run's first call starts the worker
  if (r === 0) firstWorkerCall = start;
  for (let i = 0; i < CALLS; i++) worker.push(await timed(() => runPython(probe, ctx)));
  stopPythonWorker();
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? NaN;
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
console.log(`${ROUNDS} rounds x ${CALLS} calls, interleaved`);
console.log('| python call (`os.path.exists`) | median | p90 |');
console.log('| --- | --- | --- |');
console.log(
  `| new python3 per call (before, baseline) | ${fmt(pct(perProcess, 0.5))} | ${fmt(pct(perProcess, 0.9))} |`,
);
console.log(`| one worker per run (now) | ${fmt(pct(worker, 0.5))} | ${fmt(pct(worker, 0.9))} |`);
console.log(`first call of a run (starts the worker): ${fmt(firstWorkerCall)}`);
console.log(`ratio (median, worker / per-call process): ${(pct(worker, 0.5) / pct(perProcess, 0.5)).toFixed(4)}`);
rmSync(dir, { recursive: true, force: true });
