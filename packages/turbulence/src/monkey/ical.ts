/**
 * @module Holidays from an iCalendar file (RFC 5545), as calendar apps export them. Pure.
 *
 *   text ─unfold─▶ VEVENTs (DTSTART, DTEND | DURATION, RRULE, EXDATE, STATUS) ─▶ occurrences ─▶ local dates
 *
 * - An all-day event (`DTSTART;VALUE=DATE:20261224`, `DTEND` exclusive, default one day) makes every date it
 *   covers a holiday. All-day dates are floating: they are dates of the schedule's time zone.
 * - A timed event (`DTSTART;TZID=Europe/Berlin:…`, `…Z` for UTC, or floating = the schedule's zone) makes a
 *   holiday of every date whose whole fault window (in the schedule's zone) lies inside it: a company shutdown
 *   counts, a one-hour meeting does not.
 * - `RRULE` with FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, COUNT, UNTIL, BYDAY (with ordinals such as `4TH` or
 *   `-1MO` for monthly/yearly rules), BYMONTH and BYMONTHDAY; `EXDATE` removes occurrences; `STATUS:CANCELLED`
 *   events are ignored. Open-ended rules are expanded up to {@link HORIZON_YEAR}. Anything else an RRULE says is
 *   refused with its line, never half-understood.
 * - `TZID` must be an IANA name (Google, Apple and Thunderbird export those); a Windows zone name is refused.
 */
import { addDays, formatDate, isTimeZone, localDate, weekdayOf, zonedInstant, type LocalDate } from './time.js';

/** Open-ended recurrences are expanded up to this year. */
export const HORIZON_YEAR = 2100;
const MAX_OCCURRENCES = 50_000;

/** A point in time as the file writes it. */
interface IcalTime {
  date: LocalDate;
  /** Minute of the day; absent for a DATE value. */
  minute?: number;
  /** `UTC`, an IANA zone, or absent (floating: the schedule's zone). */
  zone?: string;
}

interface Rrule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  count?: number;
  until?: IcalTime;
  byDay?: { ordinal?: number; weekday: number }[];
  byMonth?: number[];
  byMonthDay?: number[];
}

/** One VEVENT. */
export interface IcalEvent {
  /** Line of its BEGIN:VEVENT. */
  line: number;
  summary?: string;
  start: IcalTime;
  /** Exclusive end (all-day: a date; timed: a time), or a duration from the start. */
  end?: IcalTime;
  durationMinutes?: number;
  rrule?: Rrule;
  exdates: Set<string>;
}

/** A problem in the file, with its line. */
export class IcalError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * The events of an iCalendar text (throws {@link IcalError}).
 *
 * @example
 * parseIcal('BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nEND:VEVENT\r\n');
 */
export function parseIcal(text: string): IcalEvent[] {
  // Unfold: a line starting with a space or tab continues the previous one.
  const lines: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const last = lines[lines.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && last) last.text += raw.slice(1);
    else lines.push({ text: raw, line: i + 1 });
  });
  const events: IcalEvent[] = [];
  let current:
    | { line: number; props: { name: string; params: Record<string, string>; value: string; line: number }[] }
    | undefined;
  let depth = 0;
  for (const { text: l, line } of lines) {
    if (l.trim() === '') continue;
    const colon = contentColon(l);
    if (colon < 0) throw new IcalError(line, `not an iCalendar content line: ${JSON.stringify(l.slice(0, 60))}`);
    const [name = '', ...paramParts] = l.slice(0, colon).split(';');
    const value = l.slice(colon + 1);
    const upper = name.toUpperCase();
    if (upper === 'BEGIN' && value.toUpperCase() === 'VEVENT') {
      current = { line, props: [] };
      depth = 0;
      continue;
    }
    if (!current) continue;
    if (upper === 'BEGIN') depth++;
    else if (upper === 'END' && value.toUpperCase() !== 'VEVENT') depth--;
    else if (upper === 'END') {
      const e = toEvent(current.line, current.props);
      if (e) events.push(e);
      current = undefined;
    } else if (depth === 0) {
      const params: Record<string, string> = {};
      for (const p of paramParts) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
      }
      current.props.push({ name: upper, params, value, line });
    }
  }
  return events;
}

/** The colon that ends the name and parameters (not one inside a quoted parameter value). */
function contentColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}

function toEvent(
  line: number,
  props: { name: string; params: Record<string, string>; value: string; line: number }[],
): IcalEvent | undefined {
  const get = (n: string) => props.find((p) => p.name === n);
  if (get('STATUS')?.value.toUpperCase() === 'CANCELLED') return undefined;
  const dtstart = get('DTSTART');
  if (!dtstart) throw new IcalError(line, 'this VEVENT has no DTSTART');
  const start = parseTime(dtstart.value, dtstart.params, dtstart.line);
  const dtend = get('DTEND');
  const duration = get('DURATION');
  const rrule = get('RRULE');
  const summary = get('SUMMARY')?.value;
  const exdates = new Set<string>();
  for (const p of props.filter((x) => x.name === 'EXDATE')) {
    for (const v of p.value.split(',')) {
      const t = parseTime(v, p.params, p.line);
      exdates.add(
        formatDate(t.zone && t.minute !== undefined && start.zone !== t.zone ? convert(t, start.zone) : t.date),
      );
    }
  }
  return {
    line,
    ...(summary !== undefined ? { summary } : {}),
    start,
    ...(dtend ? { end: parseTime(dtend.value, dtend.params, dtend.line) } : {}),
    ...(duration ? { durationMinutes: parseDuration(duration.value, duration.line) } : {}),
    ...(rrule ? { rrule: parseRrule(rrule.value, rrule.line) } : {}),
    exdates,
  };
}

/** The date of `t` in `zone` (floating when absent: unchanged). */
function convert(t: IcalTime, zone: string | undefined): LocalDate {
  if (zone === undefined || t.minute === undefined) return t.date;
  return localDate(instantOf(t, 'UTC'), zone === 'UTC' ? 'UTC' : zone);
}

function parseTime(value: string, params: Record<string, string>, line: number): IcalTime {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value.trim());
  if (!m) throw new IcalError(line, `${JSON.stringify(value)} is not an iCalendar DATE or DATE-TIME`);
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] === undefined) return { date };
  const minute = Number(m[4]) * 60 + Number(m[5]);
  if (m[7] === 'Z') return { date, minute, zone: 'UTC' };
  const tzid = params.TZID;
  if (tzid === undefined) return { date, minute };
  if (!isTimeZone(tzid)) {
    throw new IcalError(
      line,
      `TZID ${JSON.stringify(tzid)} is not an IANA time zone`,
      'export the calendar with IANA zone names such as Europe/Berlin',
    );
  }
  return { date, minute, zone: tzid };
}

function parseDuration(value: string, line: number): number {
  const m = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P') throw new IcalError(line, `${JSON.stringify(value)} is not an iCalendar DURATION`);
  const n = (i: number) => Number(m[i] ?? 0);
  return n(1) * 7 * 1440 + n(2) * 1440 + n(3) * 60 + n(4) + Math.floor(n(5) / 60);
}

function parseRrule(value: string, line: number): Rrule {
  const parts = new Map(
    value.split(';').map((p) => {
      const [k = '', v = ''] = p.split('=');
      return [k.toUpperCase(), v] as const;
    }),
  );
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') {
    throw new IcalError(
      line,
      `RRULE FREQ=${freq ?? '(none)'} is not supported`,
      'holidays recur DAILY, WEEKLY, MONTHLY or YEARLY',
    );
  }
  const known = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTH', 'BYMONTHDAY', 'WKST']);
  for (const k of parts.keys()) {
    if (!known.has(k)) {
      throw new IcalError(
        line,
        `RRULE part ${k} is not supported`,
        'supported: FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTH, BYMONTHDAY',
      );
    }
  }
  const ints = (k: string) => parts.get(k)?.split(',').map(Number);
  const rule: Rrule = { freq, interval: Number(parts.get('INTERVAL') ?? 1) };
  if (!Number.isInteger(rule.interval) || rule.interval < 1)
    throw new IcalError(line, 'RRULE INTERVAL must be a positive integer');
  if (parts.has('COUNT')) rule.count = Number(parts.get('COUNT'));
  if (parts.has('UNTIL')) rule.until = parseTime(parts.get('UNTIL') ?? '', {}, line);
  if (parts.has('BYMONTH')) rule.byMonth = ints('BYMONTH');
  if (parts.has('BYMONTHDAY')) rule.byMonthDay = ints('BYMONTHDAY');
  if (parts.has('BYDAY')) {
    rule.byDay = (parts.get('BYDAY') ?? '').split(',').map((d) => {
      const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(d.trim().toUpperCase());
      if (!m) throw new IcalError(line, `RRULE BYDAY ${JSON.stringify(d)} is not a weekday`);
      return { ...(m[1] !== undefined ? { ordinal: Number(m[1]) } : {}), weekday: WEEKDAYS.indexOf(m[2] as string) };
    });
  }
  for (const list of [rule.byMonth, rule.byMonthDay]) {
    if (list?.some((n) => !Number.isInteger(n)))
      throw new IcalError(line, `RRULE ${value} has a part that is not a number`);
  }
  return rule;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const key = (d: LocalDate) => d.year * 10000 + d.month * 100 + d.day;

/** The dates of one period (a day, a week, a month or a year) a rule selects, in order. */
function periodDates(rule: Rrule, start: LocalDate, anchor: LocalDate): LocalDate[] {
  const monthDates = (year: number, month: number): LocalDate[] => {
    const n = daysIn(year, month);
    let days = Array.from({ length: n }, (_, i) => ({ year, month, day: i + 1 }));
    if (rule.byMonthDay) {
      const wanted = new Set(rule.byMonthDay.map((d) => (d < 0 ? n + d + 1 : d)));
      days = days.filter((d) => wanted.has(d.day));
    }
    if (rule.byDay) {
      const picked = new Set<number>();
      for (const b of rule.byDay) {
        const same = days.filter((d) => weekdayOf(d) === b.weekday);
        if (b.ordinal === undefined) same.forEach((d) => picked.add(d.day));
        else {
          const d = b.ordinal > 0 ? same[b.ordinal - 1] : same[same.length + b.ordinal];
          if (d) picked.add(d.day);
        }
      }
      days = days.filter((d) => picked.has(d.day));
    }
    if (!rule.byMonthDay && !rule.byDay) days = days.filter((d) => d.day === start.day);
    return days;
  };
  switch (rule.freq) {
    case 'DAILY':
      return [anchor]
        .filter((d) => !rule.byMonth || rule.byMonth.includes(d.month))
        .filter((d) => (rule.byDay ? rule.byDay.some((b) => b.weekday === weekdayOf(d)) : true));
    case 'WEEKLY': {
      const days = rule.byDay ? rule.byDay.map((b) => b.weekday) : [weekdayOf(start)];
      const monday = addDays(anchor, -((weekdayOf(anchor) + 6) % 7));
      return Array.from({ length: 7 }, (_, i) => addDays(monday, i)).filter(
        (d) => days.includes(weekdayOf(d)) && (!rule.byMonth || rule.byMonth.includes(d.month)),
      );
    }
    case 'MONTHLY':
      return rule.byMonth && !rule.byMonth.includes(anchor.month) ? [] : monthDates(anchor.year, anchor.month);
    case 'YEARLY': {
      const months = rule.byMonth ?? [start.month];
      return months.flatMap((m) => {
        if (!rule.byDay && !rule.byMonthDay)
          return start.day <= daysIn(anchor.year, m) ? [{ year: anchor.year, month: m, day: start.day }] : [];
        return monthDates(anchor.year, m);
      });
    }
  }
}

/** The start dates of an event's occurrences (the start itself when it does not recur), until the horizon. */
export function occurrences(e: IcalEvent): LocalDate[] {
  const start = e.start.date;
  const rule = e.rrule;
  if (!rule) return [start];
  const untilKey = rule.until ? key(convert(rule.until, e.start.zone)) : HORIZON_YEAR * 10000 + 101;
  const out: LocalDate[] = [];
  let anchor = start;
  for (let period = 0; out.length < MAX_OCCURRENCES; period++) {
    if (key(anchor) > untilKey && rule.freq !== 'WEEKLY') break;
    for (const d of periodDates(rule, start, anchor)) {
      if (key(d) < key(start)) continue;
      if (key(d) > untilKey) return out.filter((x) => !e.exdates.has(formatDate(x)));
      out.push(d);
      if (rule.count !== undefined && out.length >= rule.count) return out.filter((x) => !e.exdates.has(formatDate(x)));
    }
    anchor = next(rule, start, period + 1);
    if (anchor.year > HORIZON_YEAR) break;
  }
  return out.filter((x) => !e.exdates.has(formatDate(x)));
}

function next(rule: Rrule, start: LocalDate, periods: number): LocalDate {
  const n = periods * rule.interval;
  switch (rule.freq) {
    case 'DAILY':
      return addDays(start, n);
    case 'WEEKLY':
      return addDays(start, 7 * n);
    case 'MONTHLY': {
      const m = start.month - 1 + n;
      return { year: start.year + Math.floor(m / 12), month: (m % 12) + 1, day: 1 };
    }
    case 'YEARLY':
      return { year: start.year + n, month: 1, day: 1 };
  }
}

function instantOf(t: IcalTime, floatingZone: string): number {
  return zonedInstant(t.date, t.minute ?? 0, t.zone ?? floatingZone);
}

/**
 * The holiday dates (`YYYY-MM-DD`) of a file's events for a schedule (see the module comment).
 *
 * @example
 * holidayDates(parseIcal(text), { timezone: 'Europe/Berlin', startMinute: 540, endMinute: 900 });
 */
export function holidayDates(
  events: readonly IcalEvent[],
  window: { timezone: string; startMinute: number; endMinute: number },
): string[] {
  const out = new Set<string>();
  for (const e of events) {
    const allDay = e.start.minute === undefined;
    for (const date of occurrences(e)) {
      if (allDay) {
        const days = e.end
          ? Math.max(1, dayDiff(e.start.date, e.end.date))
          : Math.max(1, Math.ceil((e.durationMinutes ?? 1440) / 1440));
        for (let i = 0; i < days; i++) out.add(formatDate(addDays(date, i)));
        continue;
      }
      const begin = instantOf({ ...e.start, date }, window.timezone);
      const length = e.end
        ? instantOf(e.end, window.timezone) - instantOf(e.start, window.timezone)
        : (e.durationMinutes ?? 0) * 60_000;
      const end = begin + length;
      for (
        let d = localDate(begin, window.timezone);
        key(d) <= key(localDate(end, window.timezone));
        d = addDays(d, 1)
      ) {
        const ws = zonedInstant(d, window.startMinute, window.timezone);
        const we = zonedInstant(d, window.endMinute, window.timezone);
        if (begin <= ws && we <= end) out.add(formatDate(d));
      }
    }
  }
  return [...out].sort();
}

function dayDiff(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}
