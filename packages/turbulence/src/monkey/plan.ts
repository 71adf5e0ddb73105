/**
 * @module The planner, pure: the Chaos Monkey time line of a schedule. Each workday (a window day that is not a
 * holiday), each group flips a coin with p = 1/MTBF; on heads it gets one fault at a uniformly random instant of
 * that day's window (so at most one per group per day). Entries are then checked in time order against
 * `minTimeBetweenFaults` per target, `maxConcurrent` (a fault occupies its duration), and the per-day limits.
 *
 *   day D ─▶ workday? ─▶ per group: Rng(seed).fork("D/group") ─▶ coin ─▶ instant ─▶ targets
 *        ─▶ sort by instant ─▶ min gap / concurrency / per-day checks ─▶ fire | skip(reason)
 *
 * Every entry draws from its own fork named by its id, so the same seed and schedule give the same time line
 * whichever day it starts being read from: `monkey plan` and a restarted `monkey run` agree.
 */
import type { Target } from '../core/fault.js';
import { Rng, forkSeed } from '../core/rng.js';
import { select } from '../core/selector.js';
import type { Group, Schedule } from './validate.js';
import { addDays, formatDate, weekdayOf, zonedInstant, type LocalDate } from './time.js';

/** One decision of the time line. */
export interface PlannedEntry {
  /** `YYYY-MM-DD/group` (plus `[value]` for a `grouping` sub-group): unique, stable across runs. */
  id: string;
  /** Clock ms when it is due. */
  at: number;
  /** Local date. */
  date: string;
  group: string;
  /** The fault kind, or `experiment`. */
  kind: string;
  durationMs: number;
  decision: 'fire' | 'skip';
  /** Why it is skipped. */
  reason?: string;
  /** The chosen targets, when the candidates were known. */
  targets?: Target[];
  /** Index of its workday since the start of the time line (min gap is counted in workdays). */
  workday: number;
}

/** One calendar day of the time line. */
export interface PlannedDay {
  date: LocalDate;
  /** Its entries in time order (none on days off). */
  entries: PlannedEntry[];
}

/** The targets of a group, when known (the planner works without them: min gap is then per group). */
export type CandidatesOf = (group: Group) => readonly Target[] | undefined;

/** Options of {@link planDays}. */
export interface PlanInput {
  schedule: Schedule;
  seed: number;
  /** First local date of the time line. */
  start: LocalDate;
  candidates?: CandidatesOf;
}

/** The key min gap is counted on: a target's stable identity (a restarted process keeps its command line). */
export function stableKey(target: Target): string {
  const a = target.attributes;
  const stable = a.managed ?? a.name ?? a.cmdline;
  return `${target.type}:${typeof stable === 'string' ? stable : target.id}`;
}

/** Labels a target carries (containers, pods): `attributes.labels`, else none. */
export function labelsOf(target: Target): Record<string, string> {
  const labels = target.attributes.labels;
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The candidates a group may touch: not excepted, and opted in when the group asks for it. */
export function eligible(candidates: readonly Target[], group: Group, schedule: Schedule): Target[] {
  const except = [...schedule.exceptions, ...group.exceptions];
  return candidates.filter((t) => {
    if (except.some((re) => re.test(t.name))) return false;
    if (group.optIn && labelsOf(t)[group.optIn.label] !== group.optIn.value) return false;
    return true;
  });
}

/**
 * The targets one entry hits: the group's selection among the eligible candidates, drawn from the entry's RNG.
 *
 * @example
 * chooseTargets(candidates, group, schedule, new Rng(7).fork('2026-12-07/web'));
 */
export function chooseTargets(candidates: readonly Target[], group: Group, schedule: Schedule, rng: Rng): Target[] {
  const keyed = orderedEligible(candidates, group, schedule);
  const faults = rng.fork('faults');
  if (group.select.mode === 'one') return keyed.length === 0 ? [] : [(keyed[faults.int(keyed.length)] as Keyed).target];
  return select(keyed, group.select, faults).map((k) => k.target);
}

interface Keyed {
  id: string;
  target: Target;
}

const ordered = new WeakMap<readonly Target[], Map<Group, Keyed[]>>();

/**
 * The eligible candidates ordered by stable key (a restarted process — new pid, same command line — keeps its
 * place), computed once per candidate list and group: the planner draws from the same list every day.
 */
function orderedEligible(candidates: readonly Target[], group: Group, schedule: Schedule): Keyed[] {
  let byGroup = ordered.get(candidates);
  if (!byGroup) ordered.set(candidates, (byGroup = new Map<Group, Keyed[]>()));
  let keyed = byGroup.get(group);
  if (!keyed) {
    keyed = eligible(candidates, group, schedule)
      .map((target) => ({ id: `${stableKey(target)}\0${target.id}`, target }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    byGroup.set(group, keyed);
  }
  return keyed;
}

/** The RNG of one entry: a fork of the seed named by the entry id, so it depends only on the two. */
export function entryRng(seed: number, id: string): Rng {
  return new Rng(forkSeed(seed, id));
}

interface Carry {
  workday: number;
  lastByKey: Map<string, number>;
  /** End instants of the faults in effect, a min-heap (10,000 groups keep thousands in effect). */
  activeUntil: number[];
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as number) <= value) break;
    heap[i] = heap[parent] as number;
    heap[parent] = value;
    i = parent;
  }
}

/** Drops every end at or before `now`. */
function heapPrune(heap: number[], now: number): void {
  while (heap.length > 0 && (heap[0] as number) <= now) {
    const last = heap.pop() as number;
    if (heap.length === 0) break;
    let i = 0;
    heap[0] = last;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && (heap[l] as number) < (heap[m] as number)) m = l;
      if (r < heap.length && (heap[r] as number) < (heap[m] as number)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  }
}

/**
 * The time line, one array per calendar day from `start` (empty for days off), without end.
 *
 * @example
 * const days = planDays({ schedule, seed: 7, start: { year: 2026, month: 12, day: 7 } });
 * const { date, entries } = days.next().value;
 */
export function* planDays(input: PlanInput): Generator<PlannedDay, never> {
  const carry: Carry = { workday: 0, lastByKey: new Map(), activeUntil: [] };
  for (let i = 0; ; i++) {
    const date = addDays(input.start, i);
    yield { date, entries: planDay(input, date, carry) };
  }
}

/**
 * The first `days` days of the time line, flattened.
 *
 * @example
 * plan({ schedule, seed: 7, start: { year: 2026, month: 12, day: 7 } }, 30).filter((e) => e.decision === 'fire');
 */
export function plan(input: PlanInput, days: number): PlannedEntry[] {
  const out: PlannedEntry[] = [];
  const gen = planDays(input);
  for (let i = 0; i < days; i++) out.push(...gen.next().value.entries);
  return out;
}

function planDay(input: PlanInput, date: LocalDate, carry: Carry): PlannedEntry[] {
  const { schedule, seed } = input;
  const day = formatDate(date);
  if (!schedule.days.includes(weekdayOf(date)) || schedule.holidays.has(day)) return [];
  const workday = carry.workday++;
  const from = zonedInstant(date, schedule.startMinute, schedule.timezone);
  const to = zonedInstant(date, schedule.endMinute, schedule.timezone);
  const drawn: { entry: PlannedEntry; group: Group; keys: string[] }[] = [];
  for (const group of schedule.groups) {
    if (!group.enabled) continue;
    const known = input.candidates?.(group);
    for (const [suffix, members] of subGroups(group, known)) {
      const id = `${day}/${group.name}${suffix}`;
      const rng = entryRng(seed, id);
      if (!rng.chance(1 / group.mtbf)) continue;
      const at = Math.floor(rng.between(from, to));
      const targets = members === undefined ? undefined : chooseTargets(members, group, schedule, rng);
      const entry: PlannedEntry = {
        id,
        at,
        date: day,
        group: group.name,
        kind: group.fault?.kind ?? 'experiment',
        durationMs: group.fault?.durationMs ?? schedule.maxFaultDurationMs,
        decision: 'fire',
        ...(targets ? { targets } : {}),
        workday,
      };
      const keys = targets && targets.length > 0 ? targets.map(stableKey) : [`group:${group.name}${suffix}`];
      drawn.push({ entry, group, keys });
    }
  }
  drawn.sort((a, b) => a.entry.at - b.entry.at || a.group.index - b.group.index);
  const perGroup = new Map<string, number>();
  let today = 0;
  for (const { entry, group, keys } of drawn) {
    heapPrune(carry.activeUntil, entry.at);
    const reason = skipReason({ schedule, group, keys, workday, today, perGroup, carry, entry });
    if (reason !== undefined) {
      entry.decision = 'skip';
      entry.reason = reason;
      continue;
    }
    today++;
    perGroup.set(group.name, (perGroup.get(group.name) ?? 0) + 1);
    for (const key of keys) carry.lastByKey.set(key, workday);
    heapPush(carry.activeUntil, entry.at + entry.durationMs);
  }
  return drawn.map((d) => d.entry);
}

function skipReason(c: {
  schedule: Schedule;
  group: Group;
  keys: string[];
  workday: number;
  today: number;
  perGroup: Map<string, number>;
  carry: Carry;
  entry: PlannedEntry;
}): string | undefined {
  if (c.entry.targets?.length === 0) return 'no-target: nothing eligible matched the group';
  for (const key of c.keys) {
    const last = c.carry.lastByKey.get(key);
    if (last !== undefined && c.workday - last < c.group.minGap) {
      return `min-gap: ${key} had a fault ${c.workday - last} workday(s) ago (minTimeBetweenFaults ${c.group.minGap})`;
    }
  }
  if (c.carry.activeUntil.length >= c.schedule.maxConcurrent) {
    return `max-concurrent: ${c.carry.activeUntil.length} fault(s) in effect (maxConcurrent ${c.schedule.maxConcurrent})`;
  }
  if (c.schedule.maxPerDay !== undefined && c.today >= c.schedule.maxPerDay) {
    return `max-per-day: ${c.today} fault(s) today (maxPerDay ${c.schedule.maxPerDay})`;
  }
  const mine = c.perGroup.get(c.group.name) ?? 0;
  if (c.group.maxPerDay !== undefined && mine >= c.group.maxPerDay) {
    return `group-max-per-day: ${mine} fault(s) today (maxPerDay ${c.group.maxPerDay})`;
  }
  return undefined;
}

/** The group itself, or one sub-group per value of its `grouping` label (Chaos Monkey's app/stack/cluster). */
function subGroups(group: Group, known: readonly Target[] | undefined): [string, readonly Target[] | undefined][] {
  if (!group.grouping || !known) return [['', known]];
  const by = new Map<string, Target[]>();
  for (const t of known) {
    const value = labelsOf(t)[group.grouping] ?? '';
    by.set(value, [...(by.get(value) ?? []), t]);
  }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([v, ts]) => [`[${v}]`, ts]);
}
