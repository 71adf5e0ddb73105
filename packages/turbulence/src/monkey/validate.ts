/**
 * @module From a parsed schedule document to a {@link Schedule} the planner and the runner use: the schema's shape
 * (zod, `schedule.ts`), then what the shape cannot say — a real time zone, a window whose end is after its start,
 * holidays that are dates, MTBF above zero, known fault kinds with valid params and targets, regexes that compile.
 * Every problem is reported at once, each at `file:line:col`. Pure apart from the iCal holidays file read by
 * `load.ts`.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { JsonObject } from '../core/json.js';
import type { SelectionMode } from '../core/selector.js';
import { checkFault } from '../experiment/validate-faults.js';
import { issuesToProblems, type Problem } from '../experiment/schema-issues.js';
import type { PositionIndex } from '../experiment/positions.js';
import { getProvider } from '../providers/index.js';
import type { ClusterRef } from '../os/kube.js';
import { holidayDates, type IcalEvent } from './ical.js';
import type { NotificationConfig } from './notify.js';
import {
  DAY_NAMES,
  scheduleSchema,
  type GroupDoc,
  type KillMode,
  type KubeMonkeySourceDoc,
  type OutageDoc,
  type ProbeDoc,
} from './schedule.js';
import { isTimeZone, parseClockTime, parseDate } from './time.js';

/** Where a group's kube-monkey labels are read at each fault: its workload (pods), or its containers' identifier. */
export type KubeMonkeySource =
  | {
      workload: { kind: 'Deployment' | 'StatefulSet' | 'DaemonSet'; namespace: string; name: string };
      cluster?: ClusterRef;
    }
  | { identifier: string };

/** One group, ready to plan. */
export interface Group {
  name: string;
  /** Index in the file (ties between groups at the same instant go by it). */
  index: number;
  targets?: JsonObject;
  fault?: { kind: string; params: JsonObject; durationMs: number };
  experiment?: string;
  /** Mean time between faults in workdays (> 0). */
  mtbf: number;
  /** Minimum workdays between two faults on one target. */
  minGap: number;
  maxPerDay?: number;
  /** One fault hits at most this many targets. */
  maxTargets?: number;
  select: SelectionMode;
  optIn?: { label: string; value: string };
  grouping?: string;
  exceptions: RegExp[];
  preflight: ProbeDoc[];
  enabled: boolean;
  /** kube-monkey's labels, read from the live victim at each fault. */
  kubeMonkey?: KubeMonkeySource;
}

/** A validated schedule. */
export interface Schedule {
  name: string;
  source: string;
  timezone: string;
  /** Weekdays of the window, 0 = Sunday. */
  days: number[];
  /** Window start and end, minutes after local midnight (end > start). */
  startMinute: number;
  endMinute: number;
  /** Local dates `YYYY-MM-DD`. */
  holidays: Set<string>;
  maxConcurrent: number;
  maxPerDay?: number;
  /** At most this many targets under faults at once, all groups together. */
  maxTargets?: number;
  maxFaultDurationMs: number;
  leashed: boolean;
  exceptions: RegExp[];
  outage?: OutageDoc & { intervalMs: number };
  notifications: NotificationConfig[];
  groups: Group[];
}

type Path = (string | number)[];

/**
 * Validates a parsed document; throws one `TURB_ERR_SCHEDULE_INVALID` listing every problem (exit code 2).
 *
 * @example
 * const schedule = compileSchedule(doc, { source: 'monkey.yaml', positions, name: 'monkey' });
 */
export function compileSchedule(
  doc: unknown,
  opts: {
    source: string;
    positions?: PositionIndex;
    name: string;
    extraHolidays?: readonly string[];
    /** The events of `holidaysFile`, turned into dates with the schedule's time zone and window. */
    holidayEvents?: readonly IcalEvent[];
  },
): Schedule {
  const parsed = scheduleSchema.safeParse(doc);
  if (!parsed.success) throw scheduleError(issuesToProblems(parsed.error.issues, doc), opts);
  const s = parsed.data;
  const problems: Problem[] = [];
  const add = (path: Path, message: string, hint?: string) =>
    problems.push({ path, message, ...(hint ? { hint } : {}) });
  if (!isTimeZone(s.timezone)) {
    add(
      ['timezone'],
      `${JSON.stringify(s.timezone)} is not a time zone`,
      'use an IANA name such as Europe/Berlin or UTC',
    );
  }
  const start = parseClockTime(s.window.start);
  const end = parseClockTime(s.window.end);
  if (start === undefined) add(['window', 'start'], `${JSON.stringify(s.window.start)} is not a time`, 'write HH:MM');
  if (end === undefined) add(['window', 'end'], `${JSON.stringify(s.window.end)} is not a time`, 'write HH:MM');
  if (start !== undefined && end !== undefined && end <= start) {
    add(
      ['window', 'end'],
      `the window ends (${s.window.end}) before it starts (${s.window.start})`,
      'windows cannot span midnight: end must be later than start',
    );
  }
  s.holidays.forEach((h, i) => {
    if (!parseDate(h)) add(['holidays', i], `${JSON.stringify(h)} is not a date`, 'write YYYY-MM-DD, e.g. 2026-12-25');
  });
  const maxFaultDurationMs = durationMs(s.maxFaultDuration, ['maxFaultDuration'], add) ?? 3_600_000;
  const exceptions = regexes(s.exceptions, ['exceptions'], add);
  const names = new Set<string>();
  const groups = s.groups.map((g, i) => {
    if (names.has(g.name)) add(['groups', i, 'name'], `group ${JSON.stringify(g.name)} is defined twice`);
    names.add(g.name);
    return compileGroup(g, i, maxFaultDurationMs, add);
  });
  const outage = s.outage ? compileOutage(s.outage, add) : undefined;
  if (problems.length > 0) throw scheduleError(problems, opts);
  return {
    name: opts.name,
    source: opts.source,
    timezone: s.timezone,
    days: [...new Set(s.window.days.map((d) => DAY_NAMES.indexOf(d)))].sort(),
    startMinute: start as number,
    endMinute: end as number,
    holidays: new Set([
      ...s.holidays,
      ...(opts.extraHolidays ?? []),
      ...holidayDates(opts.holidayEvents ?? [], {
        timezone: s.timezone,
        startMinute: start as number,
        endMinute: end as number,
      }),
    ]),
    maxConcurrent: s.maxConcurrent,
    ...(s.maxPerDay !== undefined ? { maxPerDay: s.maxPerDay } : {}),
    ...(s.maxTargets !== undefined ? { maxTargets: s.maxTargets } : {}),
    maxFaultDurationMs,
    leashed: s.leashed,
    exceptions,
    ...(outage ? { outage } : {}),
    notifications: s.notifications.map((n) => ({
      url: n.url,
      ...(n.message !== undefined ? { message: n.message } : {}),
      ...(n.headers ? { headers: n.headers } : {}),
      reportSchedule: n.reportSchedule,
    })),
    groups,
  };
}

type Add = (path: Path, message: string, hint?: string) => void;

function compileGroup(g: GroupDoc, i: number, maxMs: number, add: Add): Group {
  const at = (...p: Path): Path => ['groups', i, ...p];
  if (!(g.meanTimeBetweenFaults > 0)) {
    add(
      at('meanTimeBetweenFaults'),
      `meanTimeBetweenFaults must be above 0 (got ${g.meanTimeBetweenFaults})`,
      'it is in workdays: 1 fires every workday, 5 about once a week',
    );
  }
  if ((g.fault === undefined) === (g.experiment === undefined)) {
    add(
      at(),
      `group ${JSON.stringify(g.name)} needs either fault or experiment`,
      'fault: { kind: process.kill, ... } injects one fault; experiment: FILE runs a whole experiment',
    );
  }
  let fault: Group['fault'];
  if (g.fault) {
    const spec: Record<string, unknown> = { kind: g.fault.kind, params: g.fault.params ?? {} };
    if (g.targets !== undefined) spec.target = g.targets;
    for (const p of checkFault(spec, [])) {
      const path = p.path[0] === 'target' ? at('targets', ...p.path.slice(1)) : at('fault', ...p.path);
      add(path, p.message, p.hint);
    }
    const ms = g.fault.duration === undefined ? maxMs : durationMs(g.fault.duration, at('fault', 'duration'), add);
    if (ms !== undefined && ms > maxMs) {
      add(
        at('fault', 'duration'),
        `the fault lasts longer than maxFaultDuration (${ms} ms > ${maxMs} ms)`,
        'shorten it, or raise maxFaultDuration',
      );
    }
    fault = {
      kind: g.fault.kind,
      params: (g.fault.params ?? {}) as JsonObject,
      durationMs: Math.min(ms ?? maxMs, maxMs),
    };
  }
  if (g.killMode && g.killMode.mode !== 'kill-all' && g.killMode.value === undefined) {
    add(at('killMode', 'value'), `kill mode ${g.killMode.mode} needs a value`);
  }
  const optIn = g.optIn === true ? { label: 'kube-monkey/enabled', value: 'enabled' } : g.optIn || undefined;
  return {
    name: g.name,
    index: i,
    ...(g.targets !== undefined ? { targets: g.targets as JsonObject } : {}),
    ...(fault ? { fault } : {}),
    ...(g.experiment !== undefined ? { experiment: g.experiment } : {}),
    mtbf: g.meanTimeBetweenFaults,
    minGap: g.minTimeBetweenFaults,
    ...(g.maxPerDay !== undefined ? { maxPerDay: g.maxPerDay } : {}),
    ...(g.maxTargets !== undefined ? { maxTargets: g.maxTargets } : {}),
    select: selectionOf(g.killMode),
    ...(optIn ? { optIn } : {}),
    ...(g.grouping !== undefined ? { grouping: g.grouping } : {}),
    exceptions: regexes(g.exceptions ?? [], at('exceptions'), add),
    preflight: checkProbes(g.preflight ?? [], at('preflight'), add),
    enabled: g.enabled,
    ...(g.kubeMonkey ? { kubeMonkey: kubeMonkeySource(g.kubeMonkey) } : {}),
  };
}

function kubeMonkeySource(doc: KubeMonkeySourceDoc): KubeMonkeySource {
  if ('identifier' in doc) return { identifier: doc.identifier };
  const cluster = {
    ...(doc.kubeconfig !== undefined ? { kubeconfig: doc.kubeconfig } : {}),
    ...(doc.context !== undefined ? { context: doc.context } : {}),
  };
  return { workload: doc.workload, ...(Object.keys(cluster).length > 0 ? { cluster } : {}) };
}

/** kube-monkey's kill modes as selection modes; no kill mode is Chaos Monkey's "one instance". */
export function selectionOf(kill: KillMode | undefined): SelectionMode {
  if (!kill) return { mode: 'one' };
  const value = kill.value ?? 0;
  switch (kill.mode) {
    case 'kill-all':
      return { mode: 'all' };
    case 'fixed':
      return { mode: 'count', value: Math.floor(value) };
    case 'random-max-percent':
      return { mode: 'random-max-percent', value: Math.min(100, value) };
    case 'fixed-percent':
      return { mode: 'percent', value: Math.min(100, value) };
  }
}

function compileOutage(o: OutageDoc, add: Add): OutageDoc & { intervalMs: number } {
  if (!o.probes?.length && !o.prometheus) add(['outage'], 'the outage checker needs probes or a prometheus query');
  checkProbes(o.probes ?? [], ['outage', 'probes'], add);
  return { ...o, intervalMs: durationMs(o.interval, ['outage', 'interval'], add) ?? 5000 };
}

function checkProbes(probes: ProbeDoc[], base: Path, add: Add): ProbeDoc[] {
  probes.forEach((p, i) => {
    const def = getProvider(p.provider.type);
    if (!def) {
      add(
        [...base, i, 'provider', 'type'],
        `unknown provider type ${JSON.stringify(p.provider.type)}`,
        'use http, tcp, process, module, dns, ...',
      );
      return;
    }
    const r = def.schema.safeParse(p.provider);
    if (!r.success) {
      for (const q of issuesToProblems(r.error.issues, p.provider))
        add([...base, i, 'provider', ...q.path], q.message, q.hint);
    }
  });
  return probes;
}

function durationMs(value: string | number, path: Path, add: Add): number | undefined {
  try {
    return parseDuration(value, 'duration');
  } catch {
    add(path, `${JSON.stringify(value)} is not a duration`, 'write seconds (30), or 250ms, 30s, 5m, 2h');
    return undefined;
  }
}

function regexes(list: readonly string[], base: Path, add: Add): RegExp[] {
  const out: RegExp[] = [];
  list.forEach((text, i) => {
    try {
      out.push(new RegExp(text));
    } catch (err) {
      add([...base, i], `${JSON.stringify(text)} is not a regular expression: ${(err as Error).message}`);
    }
  });
  return out;
}

/** One error for every problem, each located in the file. */
export function scheduleError(
  problems: readonly Problem[],
  opts: { source: string; positions?: PositionIndex },
): TurbulenceError {
  const errors = problems.map(
    (p) =>
      new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, p.message, {
        location: { file: opts.source, ...opts.positions?.locate(p.path), path: p.path },
        ...(p.hint ? { hint: p.hint } : {}),
      }),
  );
  const [first, ...rest] = errors;
  if (!first) return new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, 'invalid schedule');
  return new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, first.message, {
    location: first.location,
    ...(first.hint ? { hint: first.hint } : {}),
    details: rest,
  });
}
