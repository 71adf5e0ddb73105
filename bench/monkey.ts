/**
 * The monkey scheduler's overhead for 10,000 targets (issue 19): how fast the planner decides (entries per second,
 * coin flips included) and how much memory a scheduled target costs, against a baseline measured in the same run:
 * the bare coin flips and instant draws of the same entries (fresh seeded RNG per entry) without any planning.
 *
 *   A: one group with 10,000 candidate targets (Chaos Monkey: one instance per group per day), 365 days
 *   B: 10,000 groups of one target each (one Chaos Monkey app per target), 30 days
 *   C: the run-time decision path: each decision stamped as a run event, serialized and appended to a log file
 *
 *   npx tsx bench/monkey.ts
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stamp } from '../packages/turbulence/src/core/events.js';
import type { Target } from '../packages/turbulence/src/core/fault.js';
import { entryRng, plan } from '../packages/turbulence/src/monkey/plan.js';
import { compileSchedule } from '../packages/turbulence/src/monkey/validate.js';

const N = 10_000;
const targets: Target[] = Array.from({ length: N }, (_, i) => ({
  id: `pid:${100_000 + i}`,
  type: 'process',
  name: `worker ${i} (pid ${100_000 + i})`,
  attributes: { pid: 100_000 + i, cmdline: `node worker.js --id ${i}` },
}));

const group = (name: string) => ({
  name,
  targets: { cmdline: 'worker' },
  fault: { kind: 'process.kill', duration: '1m' },
  meanTimeBetweenFaults: 2,
  minTimeBetweenFaults: 1,
});
const schedule = (groups: object[]) =>
  compileSchedule(
    { timezone: 'America/Los_Angeles', maxConcurrent: 1_000_000, groups },
    { source: '<bench>', name: 'bench' },
  );

function baseline(ids: string[]): number {
  const t = performance.now();
  let sink = 0;
  for (const id of ids) {
    const r = entryRng(7, id);
    if (r.chance(0.5)) sink += r.between(0, 1);
  }
  if (sink < 0) console.log(sink);
  return performance.now() - t;
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function run(label: string, sched: ReturnType<typeof schedule>, days: number, byGroup: Map<string, Target[]>) {
  const start = { year: 2027, month: 1, day: 4 };
  plan({ schedule: sched, seed: 1, start, candidates: (g) => byGroup.get(g.name) }, 5); // warm-up
  const before = heapAfterGc();
  const t = performance.now();
  const entries = plan({ schedule: sched, seed: 7, start, candidates: (g) => byGroup.get(g.name) }, days);
  const ms = performance.now() - t;
  const held = heapAfterGc() - before;
  const base = baseline(entries.map((e) => e.id));
  const drawn = sched.groups.length * Math.round((days * 5) / 7);
  console.log(
    `${label}: ${entries.length} entries (${drawn} coin flips) in ${ms.toFixed(0)} ms = ` +
      `${Math.round((drawn / ms) * 1000).toLocaleString('en')} decisions/s; baseline (RNG only, ${entries.length} entries) ` +
      `${base.toFixed(0)} ms; ratio ${(ms / Math.max(base, 0.001)).toFixed(1)}×; memory held ${(held / 1024 / 1024).toFixed(1)} MiB ` +
      `= ${(held / N).toFixed(0)} B per target`,
  );
  return entries;
}

console.log(
  `Node ${process.version}, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const oneGroup = schedule([group('workers')]);
run('A 1 group × 10,000 targets, 365 days', oneGroup, 365, new Map([['workers', targets]]));
const many = schedule(targets.map((_, i) => group(`app-${i}`)));
const byApp = new Map<string, Target[]>(targets.map((t, i) => [`app-${i}`, [t]]));
const entries = run('B 10,000 groups × 1 target, 30 days', many, 30, byApp);

const dir = mkdtempSync(join(tmpdir(), 'turbulence-bench-monkey-'));
try {
  const log = join(dir, 'events.jsonl');
  const t = performance.now();
  for (const e of entries) {
    const event = stamp('run', {
      type: 'monkey.skipped',
      runId: 'monkey-bench',
      entry: e.id,
      group: e.group,
      kind: e.kind,
      due: new Date(e.at).toISOString(),
      reason: 'leashed',
    });
    appendFileSync(log, `${JSON.stringify(event)}\n`);
  }
  const ms = performance.now() - t;
  const tb = performance.now();
  for (const e of entries) appendFileSync(log, `${e.id}\n`);
  const base = performance.now() - tb;
  console.log(
    `C ${entries.length} decisions as run events appended to the log: ${Math.round((entries.length / ms) * 1000).toLocaleString('en')} events/s; ` +
      `baseline (append the id only) ${Math.round((entries.length / base) * 1000).toLocaleString('en')} lines/s; ratio ${(ms / base).toFixed(2)}×`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
