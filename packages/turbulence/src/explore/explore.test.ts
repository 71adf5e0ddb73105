import { parseFailpointList } from '@turbulence/failpoints/control';
import { describe, expect, it } from 'vitest';
import { explore } from './explore.js';
import { atHit, parseReplay, randomSchedules, replayToken, systematic } from './schedules.js';
import type { Scenario, Schedule } from './types.js';

const input = {
  instances: ['a', 'b'],
  failpoints: ['x', 'y'],
  seed: 9,
  hits: 2,
  random: 5,
  probability: 0.25,
  task: 'panic',
};

describe('schedules', () => {
  it('enumerates every instance, failpoint and hit in a fixed order', () => {
    const s = systematic(input);
    expect(s.map((x) => `${x.instance}:${x.failpoints}`)).toEqual([
      'a:x=1*panic',
      'a:x=1*off->1*panic',
      'a:y=1*panic',
      'a:y=1*off->1*panic',
      'b:x=1*panic',
      'b:x=1*off->1*panic',
      'b:y=1*panic',
      'b:y=1*off->1*panic',
    ]);
    expect(new Set(s.map((x) => x.seed)).size).toBe(8);
  });

  it('writes specs the failpoint grammar accepts', () => {
    for (const s of [...systematic(input), ...randomSchedules(input)])
      expect(() => parseFailpointList(s.failpoints)).not.toThrow();
    expect(atHit('error(EIO)', 3)).toBe('2*off->1*error(EIO)');
  });

  it('derives the same schedules from the same seed, and others from another', () => {
    const again = randomSchedules(input);
    expect(randomSchedules(input)).toEqual(again);
    expect(randomSchedules({ ...input, seed: 10 }).map((s) => s.seed)).not.toEqual(again.map((s) => s.seed));
    expect(again[0]?.failpoints).toBe('x=25%1*panic;y=25%1*panic');
  });

  it('round-trips a schedule through its replay token', () => {
    const s = randomSchedules(input)[0] as Schedule;
    expect(parseReplay(replayToken(s))).toMatchObject({ seed: s.seed, instance: s.instance, failpoints: s.failpoints });
    expect(() => parseReplay('nonsense')).toThrow(/SEED:INSTANCE:FAILPOINTS/);
  });
});

describe('explore', () => {
  // A system whose invariant breaks only when instance b crashes at failpoint y.
  const scenario: Scenario = {
    name: 'toy',
    instances: ['a', 'b'],
    failpoints: ['x', 'y'],
    run: (s) => {
      const broken = s.instance === 'b' && /(^|;)y=/.test(s.failpoints);
      return Promise.resolve({ violations: broken ? ['b lost y'] : [], faulted: true });
    },
  };

  it('reports exactly the schedules that broke the invariant, with replay tokens', async () => {
    const seen: string[] = [];
    const report = await explore(scenario, { seed: 3, onSchedule: (s) => seen.push(s.id) });
    expect(seen).toEqual(['sys-1', 'sys-2', 'sys-3', 'sys-4']);
    expect(report).toMatchObject({ scenario: 'toy', seed: 3, schedules: 4, faulted: 4 });
    expect(report.findings.map((f) => f.schedule.failpoints)).toEqual(['y=1*panic']);
    expect(report.findings[0]?.replay).toMatch(/^\d+:b:y=1\*panic$/);
  });

  it('runs only the replayed schedule, labelled as a replay', async () => {
    const report = await explore(scenario, { replay: '77:b:y=1*panic' });
    expect(report.schedules).toBe(1);
    expect(report.findings[0]?.schedule).toMatchObject({ seed: 77, id: 'replay', phase: 'replay' });
  });

  it('replays every finding before reporting it: deterministic when each replay breaks it, a race otherwise', async () => {
    let runs = 0;
    const flaky: Scenario = {
      ...scenario,
      run: (s) => {
        runs++;
        // b/y breaks every time; a/x breaks only on its first run (a timing race the schedule does not decide).
        const always = s.instance === 'b' && /(^|;)y=/.test(s.failpoints);
        const once = s.instance === 'a' && /(^|;)x=/.test(s.failpoints) && runs === 1;
        return Promise.resolve({
          violations: always || once ? ['broken'] : [],
          faulted: true,
          fired: [`${s.instance}:x`],
        });
      },
    };
    const confirms: number[] = [];
    const report = await explore(flaky, { seed: 3, confirm: 3, onConfirm: (_s, attempt) => confirms.push(attempt) });
    expect(runs).toBe(4 + 2 * 3);
    expect(confirms).toEqual([2, 3, 4, 2, 3, 4]);
    expect(report.findings.map((f) => [f.schedule.instance, f.reproduced, f.attempts, f.verdict])).toEqual([
      ['a', 1, 4, 'race'],
      ['b', 4, 4, 'deterministic'],
    ]);
    expect(report.findings[0]?.fired).toEqual(['a:x']);
    const unconfirmed = await explore(scenario, { seed: 3, confirm: 0 });
    expect(unconfirmed.findings[0]).toMatchObject({ reproduced: 1, attempts: 1, verdict: 'deterministic' });
  });

  it('refuses unknown instances and failpoints, and malformed specs in a replay', async () => {
    await expect(explore(scenario, { instances: ['z'] })).rejects.toThrow(/unknown instances: z/);
    await expect(explore(scenario, { failpoints: ['nope'] })).rejects.toThrow(/unknown failpoints: nope/);
    await expect(explore(scenario, { replay: '1:a:x=explode' })).rejects.toThrow(/unknown task/);
    await expect(explore(scenario, { replay: '1:q:x=panic' })).rejects.toThrow(/no instance "q"/);
  });

  it('runs up to `concurrency` schedules at once and still reports findings in schedule order', async () => {
    let running = 0;
    let peak = 0;
    const slow: Scenario = {
      ...scenario,
      run: async (s) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, s.id === 'sys-1' ? 60 : 10));
        running--;
        return { violations: s.instance === 'a' ? [`broken at ${s.id}`] : [], faulted: true };
      },
    };
    const report = await explore(slow, { seed: 1, hits: 2, concurrency: 3 });
    expect(peak).toBe(3);
    expect(report.schedules).toBe(8);
    expect(report.findings.map((f) => f.schedule.id)).toEqual(['sys-1', 'sys-2', 'sys-3', 'sys-4']);
  });

  it('stops between schedules when aborted', async () => {
    const ctrl = new AbortController();
    const report = explore(scenario, { signal: ctrl.signal, onSchedule: () => ctrl.abort() });
    await expect(report).rejects.toMatchObject({ code: 'TURB_ERR_INTERRUPTED' });
  });
});
