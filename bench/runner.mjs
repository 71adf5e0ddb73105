/**
 * Runner overhead: a 100-activity experiment of no-op module probes run through `runExperiment` (the built
 * library, plain Node: no TypeScript loader in the way), against the baseline of calling the same function 100
 * times directly in the same process. Prints time per activity and the overhead.
 *
 *   npm run build && node bench/runner.mjs [activities=100] [rounds=15]
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runExperiment } from '../packages/turbulence/dist/index.js';

const n = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 15);
const baseDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const home = mkdtempSync(join(tmpdir(), 'turb-bench-'));

const experiment = {
  title: 'runner overhead',
  description: `${n} no-op module probes`,
  method: Array.from({ length: n }, (_, i) => ({
    type: 'probe',
    name: `noop-${i}`,
    provider: { type: 'module', module: './noop.mjs', func: 'noop', arguments: {} },
  })),
};

const mod = await import(join(baseDir, 'noop.mjs'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await runExperiment(experiment, { baseDir, home, seed: 1 }); // warm-up: module loading, JIT

const direct = [];
const runner = [];
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  for (let i = 0; i < n; i++) await Promise.resolve(mod.noop());
  direct.push(performance.now() - t);
  t = performance.now();
  const { journal } = await runExperiment(experiment, { baseDir, home, seed: 1 });
  runner.push(performance.now() - t);
  if (journal.run.length !== n || journal.status !== 'completed') throw new Error('benchmark run did not complete');
}
rmSync(home, { recursive: true, force: true });

const perActivityUs = (median(runner) / n) * 1000;
const directUs = (median(direct) / n) * 1000;
console.log(`activities per run:           ${n} (median of ${rounds} runs)`);
console.log(`direct call (baseline):       ${directUs.toFixed(2)} µs per call`);
console.log(
  `through the runner:           ${perActivityUs.toFixed(1)} µs per activity (whole run ${median(runner).toFixed(1)} ms)`,
);
console.log(`runner overhead per activity: ${(perActivityUs - directUs).toFixed(1)} µs`);
