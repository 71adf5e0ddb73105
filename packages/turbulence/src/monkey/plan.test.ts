import { describe, expect, it } from 'vitest';
import type { Target } from '../core/fault.js';
import { isTurbulenceError } from '../core/errors.js';
import { loadSchedule } from './load.js';
import { plan, stableKey } from './plan.js';
import { localParts, parseDate } from './time.js';
import type { Schedule } from './validate.js';

const BASE = `
timezone: America/Los_Angeles
window: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "15:00" }
holidays: ["2026-12-25", "2027-01-01"]
maxConcurrent: 1
groups:
  - name: web
    targets: { cmdline: "node .*web" }
    fault: { kind: process.kill, params: { signal: SIGKILL }, duration: 10m }
    meanTimeBetweenFaults: 2
    minTimeBetweenFaults: 1
`;

const fromText = (text: string, file = '/x/monkey.yaml'): Promise<Schedule> =>
  loadSchedule(file, { read: () => Promise.resolve(text) });

const procs = (n: number): Target[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `pid:${100 + i}`,
    type: 'process',
    name: `sleep ${i}`,
    attributes: { pid: 100 + i, cmdline: `sleep ${1000 + i}` },
  }));

describe('the Chaos Monkey planner', () => {
  it('gives the same time line for the same seed, and another for another seed', async () => {
    const schedule = await fromText(BASE);
    const start = parseDate('2026-12-01')!;
    const a = plan({ schedule, seed: 7, start }, 30);
    const b = plan({ schedule, seed: 7, start }, 30);
    const c = plan({ schedule, seed: 8, start }, 30);
    expect(a).toEqual(b);
    expect(a.map((e) => e.at)).not.toEqual(c.map((e) => e.at));
  });

  it('never fires outside the window days and hours, nor on holidays, across a DST change', async () => {
    const schedule = await fromText(BASE);
    const entries = plan({ schedule, seed: 7, start: parseDate('2026-02-20')! }, 400);
    expect(entries.length).toBeGreaterThan(50);
    for (const e of entries) {
      const p = localParts(e.at, 'America/Los_Angeles');
      expect([1, 2, 3, 4, 5]).toContain(p.weekday);
      expect(p.hour).toBeGreaterThanOrEqual(9);
      expect(p.hour).toBeLessThan(15);
      expect(['2026-12-25', '2027-01-01']).not.toContain(e.date);
    }
  });

  it('fires about days/MTBF times per group', async () => {
    const schedule = await fromText(BASE.replace('meanTimeBetweenFaults: 2', 'meanTimeBetweenFaults: 4'));
    const fired = plan({ schedule, seed: 3, start: parseDate('2026-01-05')! }, 700).filter(
      (e) => e.decision === 'fire',
    );
    const workdays = 500 - 2; // 100 weeks of 5 workdays, minus the two holidays
    expect(fired.length).toBeGreaterThan(workdays / 4 - 40);
    expect(fired.length).toBeLessThan(workdays / 4 + 40);
  });

  it('keeps minTimeBetweenFaults per target and maxConcurrent, saying why it skips', async () => {
    const text = BASE.replace('minTimeBetweenFaults: 1', 'minTimeBetweenFaults: 3').replace(
      'meanTimeBetweenFaults: 2',
      'meanTimeBetweenFaults: 1',
    );
    const schedule = await fromText(text);
    const targets = procs(2);
    const entries = plan({ schedule, seed: 7, start: parseDate('2026-03-02')!, candidates: () => targets }, 60);
    const last = new Map<string, number>();
    const workdayOf = new Map<string, number>();
    let n = 0;
    for (const e of entries) if (!workdayOf.has(e.date)) workdayOf.set(e.date, n++);
    for (const e of entries.filter((x) => x.decision === 'fire')) {
      const key = stableKey(e.targets![0]!);
      const wd = workdayOf.get(e.date)!;
      if (last.has(key)) expect(wd - last.get(key)!).toBeGreaterThanOrEqual(3);
      last.set(key, wd);
    }
    expect(entries.some((e) => e.reason?.startsWith('min-gap:'))).toBe(true);
  });

  it('skips what would exceed maxConcurrent while an earlier fault is still in effect', async () => {
    const text = `${BASE}  - name: api
    targets: { cmdline: "node .*api" }
    fault: { kind: process.stop, duration: 6h }
    meanTimeBetweenFaults: 1
`;
    const schedule = await fromText(`maxFaultDuration: 6h\n${text.replace('duration: 10m', 'duration: 6h')}`);
    const entries = plan({ schedule, seed: 1, start: parseDate('2026-03-02')! }, 20);
    expect(entries.some((e) => e.reason?.startsWith('max-concurrent:'))).toBe(true);
  });
});

describe('bad schedules', () => {
  const cases: [string, string, RegExp][] = [
    ['an invalid time zone', BASE.replace('America/Los_Angeles', 'Mars/Olympus'), /not a time zone/],
    [
      'a window ending before it starts',
      BASE.replace('end: "15:00"', 'end: "08:00"'),
      /ends \(08:00\) before it starts/,
    ],
    ['a holiday that is not a date', BASE.replace('"2027-01-01"', '"2027-02-30"'), /"2027-02-30" is not a date/],
    ['MTBF 0', BASE.replace('meanTimeBetweenFaults: 2', 'meanTimeBetweenFaults: 0'), /must be above 0/],
    ['an unknown fault kind', BASE.replace('kind: process.kill', 'kind: process.kil'), /process\.kil/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what} with the line and column`, async () => {
      const err = await fromText(text.replace('maxFaultDuration: 6h', '')).catch((e: unknown) => e);
      expect(isTurbulenceError(err, 'TURB_ERR_SCHEDULE_INVALID')).toBe(true);
      const e = err as { message: string; location: { line?: number; column?: number } };
      expect(e.message).toMatch(message);
      expect(e.location.line).toBeGreaterThan(1);
      expect(e.location.column).toBeGreaterThan(0);
    });
  }

  it('applies grouping, opt-in labels and exceptions to labelled candidates (containers, pods)', async () => {
    const schedule = await fromText(`
timezone: UTC
maxConcurrent: 10
maxPerDay: 10
exceptions: ["^web-2$"]
groups:
  - name: shop
    targets: { name: "re2:^(web|api)-" }
    fault: { kind: container.kill }
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
    maxPerDay: 10
    grouping: app
    optIn: { label: chaos, value: enabled }
`);
    const c = (name: string, labels: Record<string, string>): Target => ({
      id: `container:${name}`,
      type: 'container',
      name,
      attributes: { name, state: 'running', labels },
    });
    const on = { chaos: 'enabled' };
    const candidates = [
      c('web-1', { ...on, app: 'web' }),
      c('web-2', { ...on, app: 'web' }),
      c('web-3', { app: 'web' }),
      c('api-1', { ...on, app: 'api' }),
      c('api-2', { ...on, app: 'api' }),
    ];
    const entries = plan({ schedule, seed: 5, start: parseDate('2026-12-07')!, candidates: () => candidates }, 10);
    const fired = entries.filter((e) => e.decision === 'fire');
    expect(fired).toHaveLength(16); // MTBF 1: each app every workday (8 workdays)
    for (const e of fired) {
      expect(e.id).toMatch(/^\d{4}-\d\d-\d\d\/shop\[(web|api)\]$/);
      const app = /\[(\w+)\]/.exec(e.id)![1];
      expect(e.targets).toHaveLength(1);
      const t = e.targets![0]!;
      expect((t.attributes.labels as Record<string, string>).app).toBe(app);
      expect(['web-1', 'api-1', 'api-2']).toContain(t.name); // web-2 excepted, web-3 not opted in
    }
  });
});
