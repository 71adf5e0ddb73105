/**
 * @module Wall-clock arithmetic in IANA time zones through `Intl` (no tz library): local parts of an instant,
 * the instant of a local date and time (DST gaps and overlaps handled), ISO-8601 with the zone's UTC offset.
 * Pure: no I/O.
 *
 *   '2026-03-09' + 09:00 in America/Los_Angeles ─▶ guess as UTC ─▶ minus the zone offset at the guess ─▶ check
 *                                                   ─▶ 2026-03-09T16:00:00.000Z (PDT, UTC-7 since March 8)
 */

/** A calendar date: `{ year: 2026, month: 12, day: 25 }` (month 1-12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Local fields of an instant in a zone. `weekday` 0 = Sunday. */
export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * True when `name` is a time zone this Node knows (an IANA name such as `Europe/Berlin`, or `UTC`).
 *
 * @example
 * isTimeZone('America/Los_Angeles'); // true
 * isTimeZone('Mars/Olympus'); // false
 */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The local date, time and weekday of `ms` in `timeZone`. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out as unknown as LocalParts;
}

/** The zone's offset from UTC at `ms`, in minutes (e.g. -420 for PDT). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the clocks of `timeZone` show `date` and `minuteOfDay`. A time inside a DST gap (02:30 on
 * a spring-forward night) maps to the instant just after the gap; a time that occurs twice maps to the first.
 *
 * @example
 * new Date(zonedInstant({ year: 2026, month: 7, day: 1 }, 9 * 60, 'Europe/Berlin')).toISOString();
 * // '2026-07-01T07:00:00.000Z'
 */
export function zonedInstant(date: LocalDate, minuteOfDay: number, timeZone: string): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * 60_000;
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  const second = guess - offsetMinutes(first, timeZone) * 60_000;
  // Overlap: both candidates show the wanted time; take the earlier one.
  const candidates = [first, second].filter((t) => guess - offsetMinutes(t, timeZone) * 60_000 === t);
  if (candidates.length > 0) return Math.min(...candidates);
  return Math.max(first, second); // in a gap: the instant after it
}

/** `date` plus `n` calendar days. */
export function addDays(date: LocalDate, n: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Weekday of a calendar date, 0 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** `2026-12-25`. */
export function formatDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`;
}

/** `2026-12-25` → a date, or undefined when the text is not a real calendar date. */
export function parseDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return formatDate(addDays(date, 0)) === text ? date : undefined;
}

/** The local calendar date of `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): LocalDate {
  const { year, month, day } = localParts(ms, timeZone);
  return { year, month, day };
}

/**
 * ISO-8601 with the zone's offset at that instant.
 *
 * @example
 * formatZoned(Date.parse('2026-12-07T17:30:00Z'), 'America/Los_Angeles'); // '2026-12-07T09:30:00.000-08:00'
 */
export function formatZoned(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const off = offsetMinutes(ms, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return (
    `${formatDate(p)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${millis}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** `09:30` → 570; undefined when it is not HH:MM with HH 0-24 (24:00 only) and MM 0-59. */
export function parseClockTime(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
