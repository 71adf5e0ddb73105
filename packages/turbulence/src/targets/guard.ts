/**
 * @module The safety guard, applied once by the fault manager to the targets of every family, before selection:
 *
 *   - an empty target query (`{}`, or only empty values) is refused (`FAULT_INVALID_PARAMS`): it can only be a
 *     mistake, never "everything";
 *   - process targets (type `process`, with a `pid`) are refused when the pid is ≤ 0, PID 1, this process, its
 *     process group leader, an ancestor, or a descendant that turbulence does not supervise (a supervised process
 *     and its children may be targeted: that is what they are for). Other members of its process group (orphans
 *     a test or script left behind) are not refused: they are neither turbulence nor what started it.
 *
 * A query that matches protected and unprotected processes (a name or a regex) keeps the unprotected ones; when
 * every match is protected (which includes naming one directly by pid, pidfile or managed name) it is refused.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { processGroupOfSync, readProcSync } from '../os/proc.js';
import { supervisedPids } from '../supervisor/live.js';

/**
 * True when turbulence must never signal `pid`: PID 1, `self`, an ancestor of `self`, or a descendant of `self`
 * with no supervised process between them. `parentOf` gives a pid's parent (undefined when unknown).
 */
export function isProtected(
  pid: number,
  self: number,
  supervised: ReadonlySet<number>,
  parentOf: (pid: number) => number | undefined,
): boolean {
  if (pid === 1 || pid === self) return true;
  const seen = new Set<number>();
  for (let p = parentOf(self); p !== undefined && p > 0 && !seen.has(p); p = parentOf(p)) {
    if (p === pid) return true;
    seen.add(p);
  }
  seen.clear();
  for (let p: number | undefined = pid; p !== undefined && p > 1 && !seen.has(p); p = parentOf(p)) {
    if (supervised.has(p)) return false;
    if (p === self) return true;
    seen.add(p);
  }
  return false;
}

const emptyValue = (v: JsonValue | undefined): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Refuses a target query that is present but says nothing (`{}`, `{ name: "" }`). An absent query is left to
 * the family (some have a default, e.g. `stress.*` acts on this machine).
 */
export function assertQueryNotEmpty(kind: string, query: JsonObject | undefined): void {
  if (query === undefined) return;
  if (Object.values(query).every(emptyValue)) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${kind}: the target query is empty`, {
      location: { path: ['target'] },
      hint: 'name what to act on, e.g. target: { name: "redis-server" } or --target pid=4242; `turbulence fault kinds` lists the target types',
    });
  }
}

/**
 * A target's pid, when it is a process target (type `process`: something turbulence signals, stops or confines).
 * Other types may carry a pid for information (a failpoint endpoint's process) and are talked to, not signalled.
 */
function pidOf(target: Target): number | undefined {
  const pid = target.attributes.pid;
  return target.type === 'process' && typeof pid === 'number' ? pid : undefined;
}

/** Processes turbulence supervises may be targeted even when they are its own descendants. */
function supervisedTarget(target: Target): boolean {
  const a = target.attributes;
  return typeof a.managed === 'string' || (typeof a.lab === 'string' && typeof a.service === 'string');
}

/**
 * The guard itself: drops protected process targets, refuses when every process target was protected.
 * Targets that are not processes pass unchanged.
 *
 * @example
 * guardTargets('process.kill', await resolveProcesses({ pid: 1 })); // throws TARGET_REFUSED
 */
export function guardTargets(kind: string, targets: readonly Target[], self: number = process.pid): Target[] {
  const supervised = new Set(supervisedPids().keys());
  for (const t of targets) {
    const pid = pidOf(t);
    if (pid !== undefined && supervisedTarget(t)) supervised.add(pid);
  }
  const parentOf = (pid: number): number | undefined => readProcSync(pid)?.ppid;
  const ownGroup = processGroupOfSync(self);
  const why = (pid: number): string | undefined => {
    if (!Number.isInteger(pid) || pid <= 0) return `pid ${pid} is not a process (≤ 0 means a process group)`;
    if (pid === 1) return 'PID 1';
    if (pid === self) return "turbulence's own process";
    if (pid === ownGroup) return "the leader of turbulence's own process group";
    if (isProtected(pid, self, supervised, parentOf)) return "turbulence's own process tree";
    return undefined;
  };
  const refused: string[] = [];
  const kept = targets.filter((t) => {
    const pid = pidOf(t);
    const reason = pid === undefined ? undefined : why(pid);
    if (reason !== undefined) refused.push(`${t.name}: ${reason}`);
    return reason === undefined;
  });
  const processTargets = targets.filter((t) => pidOf(t) !== undefined).length;
  if (refused.length > 0 && refused.length === processTargets) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${kind}: refusing to target ${refused.join('; ')}`, {
      hint: 'turbulence never signals PID 1, itself, its process group, its parents or its own children (except processes it supervises)',
    });
  }
  return kept;
}
