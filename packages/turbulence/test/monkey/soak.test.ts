/**
 * Thirty simulated days of schedule on an accelerated clock against real processes: two shell loops (orphans, so
 * the guard lets turbulence signal them) each keep a `sleep` running; the monkey SIGKILLs the sleeps with
 * `process.kill`, the loops start them again. The faults injected must be exactly the plan's, all reverted, and
 * memory must not grow with events.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/faults/ledger.js';
import { acceleratedClock } from '../../src/monkey/clock.js';
import { loadSchedule } from '../../src/monkey/load.js';
import { plan } from '../../src/monkey/plan.js';
import { MonkeyRunner } from '../../src/monkey/runner.js';
import { resolveGroup } from '../../src/monkey/targets.js';
import { parseDate } from '../../src/monkey/time.js';
import { eventually } from '../support/eventually.js';
import { listProcs } from '../../src/os/proc.js';
import { hasProc, killOrphans, spawnOrphan, tempHome, type Orphan } from '../system/faults/helpers.js';

// Numbers of this run's sleeps, so leftovers of another run (or anything else) never match.
const [N1, N2, N3] = [0, 1, 2].map((i) => 800_000 + Math.floor(Math.random() * 90_000) * 3 + i) as [
  number,
  number,
  number,
];

const SCHEDULE = `
timezone: Europe/Berlin
window: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
holidays: ["2026-03-10"]
maxConcurrent: 3 # at most two in effect by construction; the run's live check never binds
groups:
  - name: a
    targets: { cmdline: "^sleep (${N1}|${N2})$" }
    fault: { kind: process.kill, duration: 30m }
    meanTimeBetweenFaults: 1.5
    minTimeBetweenFaults: 1
  - name: b
    targets: { cmdline: "^sleep ${N3}$" }
    fault: { kind: process.kill, params: { signal: SIGTERM }, duration: 1h }
    meanTimeBetweenFaults: 3
`;

describe.skipIf(!hasProc)('monkey soak on an accelerated clock', () => {
  let env: ReturnType<typeof tempHome>;
  const loops: Orphan[] = [];
  beforeAll(async () => {
    env = tempHome();
    for (const n of [N1, N2, N3]) loops.push(await spawnOrphan(`while true; do sleep ${n}; done`));
    const file = join(env.home, 'soak.yaml');
    writeFileSync(file, SCHEDULE);
    await eventually(async () => {
      const s = await loadSchedule(file);
      const counts = await Promise.all(s.groups.map(async (g) => (await resolveGroup(g)).targets.length));
      return counts.join(',') === '2,1';
    }, 10_000);
  });
  afterAll(async () => {
    // The loops first (so they start nothing new), then the sleeps they had running, by pid.
    const sleeps = (await listProcs()).filter((p) => loops.some((l) => l.pid === p.ppid));
    await killOrphans();
    for (const p of sleeps) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    env.restore();
  });

  it("runs 30 days in seconds: the plan's faults exactly, all reverted, memory flat", { timeout: 90_000 }, async () => {
    const schedule = await loadSchedule(join(env.home, 'soak.yaml'));
    const origin = parseDate('2026-03-02')!;
    const candidates = new Map(
      await Promise.all(schedule.groups.map(async (g) => [g.name, (await resolveGroup(g)).targets] as const)),
    );
    const expected = plan({ schedule, seed: 7, start: origin, candidates: (g) => candidates.get(g.name) }, 30)
      .filter((e) => e.decision === 'fire')
      .map((e) => e.id);
    expect(expected.length).toBeGreaterThan(10);

    const start = Date.parse('2026-03-01T23:00:00Z'); // midnight in Berlin
    // 30 days in 25 s: a workday is ~0.8 s, time enough for a shell loop to start its next sleep after a kill
    // even at load 20 on two cores (at 10 s, two faults 18 simulated hours apart came 0.2 s apart and the second
    // found no target under load).
    const speed = (30 * 86_400_000) / 25_000;
    const clock = acceleratedClock({ origin: start, realStart: Date.now(), speed });
    const runner = new MonkeyRunner({
      schedule,
      seed: 7,
      clock,
      origin,
      until: start + 30 * 86_400_000,
      guardian: false,
    });
    const injected: string[] = [];
    const skipped: string[] = [];
    const reverted: string[] = [];
    const rss: number[] = [];
    runner.events.on((e) => {
      if (e.type === 'monkey.injected') injected.push(e.entry as string);
      if (e.type === 'monkey.reverted') reverted.push(e.fault as string);
      if (e.type === 'monkey.skipped') skipped.push(`${String(e.entry)}: ${String(e.reason)}`);
      if (e.type === 'monkey.scheduled' || e.type === 'monkey.injected') rss.push(process.memoryUsage().rss);
    });
    await runner.run();

    expect(injected, `skipped: ${skipped.join('; ')}`).toEqual(expected);
    expect(reverted.length).toBe(injected.length);
    expect(runner.activeFaults()).toEqual([]);
    expect((await new Ledger(join(env.home, 'ledger')).list()).entries).toEqual([]);
    const events = await runner.store.readEvents();
    expect(events.filter((e) => e.type === 'monkey.injected').length).toBe(expected.length);
    const warm = rss[Math.floor(rss.length / 4)]!;
    const end = rss.at(-1)!;
    expect(end / warm).toBeLessThan(1.1);
  });
});
