import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holidayDates, parseIcal } from './ical.js';
import { loadSchedule } from './load.js';
import { plan } from './plan.js';

/** A Google Calendar style export: VTIMEZONE, folded lines, CRLF, all-day and timed events, recurrences. */
const ICS = join(import.meta.dirname, '..', '..', 'test', 'monkey', 'fixtures', 'holidays.ics');
const text = readFileSync(ICS, 'utf8');

describe('holidaysFile (iCalendar)', () => {
  const events = parseIcal(text);
  const berlin = new Set(holidayDates(events, { timezone: 'Europe/Berlin', startMinute: 540, endMinute: 900 }));
  const la = new Set(holidayDates(events, { timezone: 'America/Los_Angeles', startMinute: 540, endMinute: 960 }));

  it('reads all-day events with their DTEND, yearly rules with EXDATE, and skips cancelled ones', () => {
    for (const d of ['2024-12-25', '2024-12-26', '2026-12-25', '2026-12-26', '2028-12-25', '2028-12-26', '2099-12-26'])
      expect(berlin.has(d), d).toBe(true);
    expect(berlin.has('2027-12-25')).toBe(false); // EXDATE takes the whole two-day occurrence
    expect(berlin.has('2027-12-26')).toBe(false);
    expect(berlin.has('2024-12-27')).toBe(false); // DTEND is exclusive
    expect(berlin.has('2026-12-09')).toBe(false); // STATUS:CANCELLED
    expect(events.find((e) => e.summary?.startsWith('Christmas'))?.summary).toMatch(/folded over two lines\)$/);
  });

  it('expands BYDAY ordinals: the 4th Thursday of November, the last Friday of a month (COUNT=3)', () => {
    const thanksgiving = [...berlin].filter((d) => d.slice(5, 7) === '11' && d !== '2026-11-27');
    expect(thanksgiving.slice(0, 5)).toEqual(['2023-11-23', '2024-11-28', '2025-11-27', '2026-11-26', '2027-11-25']);
    for (const d of ['2026-11-27', '2026-12-25', '2027-01-29']) expect(berlin.has(d), d).toBe(true);
    expect(berlin.has('2027-02-26')).toBe(false);
  });

  it('counts a timed event only where it covers the whole window, in the schedule time zone', () => {
    // Berlin shutdown 28 Dec 00:00 – 31 Dec 00:00 (Europe/Berlin).
    for (const d of ['2026-12-28', '2026-12-29', '2026-12-30']) expect(berlin.has(d), d).toBe(true);
    expect(berlin.has('2026-12-31')).toBe(false);
    // The same event from Los Angeles (27 Dec 15:00 – 30 Dec 15:00 PST) with a 09:00–16:00 window.
    expect(['2026-12-27', '2026-12-28', '2026-12-29', '2026-12-30'].filter((d) => la.has(d))).toEqual([
      '2026-12-28',
      '2026-12-29',
    ]);
    // A UTC event with DURATION:P2D.
    expect(['2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07'].filter((d) => berlin.has(d))).toEqual([
      '2027-01-05',
      '2027-01-06',
    ]);
    // A weekly one-hour meeting is never a holiday.
    expect(berlin.has('2026-12-07')).toBe(false);
    expect(berlin.has('2026-12-14')).toBe(false);
  });

  it('keeps a schedule off those days, and refuses what it cannot read at file:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turbulence-ical-'));
    try {
      writeFileSync(join(dir, 'team.ics'), text);
      const yaml = (file: string) => `timezone: Europe/Berlin
holidaysFile: ${file}
groups:
  - { name: web, targets: { cmdline: "nothing-runs-this" }, fault: { kind: process.kill }, meanTimeBetweenFaults: 1, minTimeBetweenFaults: 0 }
`;
      writeFileSync(join(dir, 'monkey.yaml'), yaml('team.ics'));
      const schedule = await loadSchedule(join(dir, 'monkey.yaml'));
      const entries = plan({ schedule, seed: 1, start: { year: 2026, month: 12, day: 1 } }, 45);
      const dates = new Set(entries.map((e) => e.date));
      for (const d of ['2026-12-25', '2026-12-28', '2026-12-29', '2026-12-30', '2027-01-05', '2027-01-06'])
        expect(dates.has(d), d).toBe(false);
      for (const d of ['2026-12-07', '2026-12-09', '2026-12-31', '2027-01-07']) expect(dates.has(d), d).toBe(true);

      writeFileSync(
        join(dir, 'bad.ics'),
        text.replace('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', 'RRULE:FREQ=YEARLY;BYSETPOS=4'),
      );
      writeFileSync(join(dir, 'bad.yaml'), yaml('bad.ics'));
      await expect(loadSchedule(join(dir, 'bad.yaml'))).rejects.toMatchObject({
        message: 'holidaysFile: RRULE part BYSETPOS is not supported',
        location: { file: join(dir, 'bad.ics'), line: 39 },
      });
      writeFileSync(
        join(dir, 'win.ics'),
        text.replace('TZID=Europe/Berlin:20261228', 'TZID=W. Europe Standard Time:20261228'),
      );
      writeFileSync(join(dir, 'win.yaml'), yaml('win.ics'));
      await expect(loadSchedule(join(dir, 'win.yaml'))).rejects.toThrow(
        /TZID "W. Europe Standard Time" is not an IANA/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
