/**
 * @module Process targets: the query `{ pid?, name?, cmdline?, pidfile?, managed? }` (all given fields must
 * match), resolved through `/proc`, and the guard that refuses PID 1 and turbulence's own process tree.
 *
 * Protected: PID 1; this process; its ancestors; its descendants, except processes it supervises (and their
 * descendants). Naming a protected process directly (pid, pidfile, managed) is refused with `TARGET_REFUSED`;
 * a name or command-line query skips protected processes, and is refused when nothing else matched.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import { findManaged } from '../../supervisor/managed.js';
import { supervisedPids } from '../../supervisor/supervisor.js';
import { commandLine, isSameProcess, listProcs, readProcSync } from './proc.js';
import type { ProcInfo } from './proc.js';
import { processQuerySchema } from './schema.js';

export { processQuerySchema } from './schema.js';

/** A parsed process target query. */
export type ProcessQuery = z.infer<typeof processQuerySchema>;

/** The attributes a process target carries (enough to find it again, and to not confuse it with a new one). */
export interface ProcessAttributes {
  pid: number;
  startTime: string;
  comm: string;
  cmdline: string;
  managed?: string;
}

/** Reads a process target's attributes back. */
export function attributesOf(target: Target): ProcessAttributes {
  const a = target.attributes;
  return {
    pid: Number(a.pid),
    startTime: text(a.startTime),
    comm: text(a.comm),
    cmdline: text(a.cmdline),
    ...(typeof a.managed === 'string' ? { managed: a.managed } : {}),
  };
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

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

function toTarget(p: ProcInfo, managed: Map<number, string>): Target {
  const cmdline = commandLine(p);
  const name = managed.get(p.pid);
  const attributes: JsonObject = { pid: p.pid, startTime: p.startTime, comm: p.comm, cmdline };
  if (name !== undefined) attributes.managed = name;
  const label = name !== undefined ? `${name} (pid ${p.pid})` : `${cmdline.slice(0, 60)} (pid ${p.pid})`;
  return { id: `pid:${p.pid}`, type: 'process', name: label, attributes };
}

async function readPidfile(path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `cannot read pidfile: ${errorMessage(err)}`, {
      location: { file: path },
      hint: 'is the service running, and is the path right?',
    });
  }
  const pid = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, 'pidfile does not start with a pid', {
      location: { file: path },
    });
  }
  return pid;
}

/**
 * Processes matching a query. Throws `TARGET_REFUSED` for a protected process named directly, or when every
 * match was protected.
 *
 * @example
 * const targets = await resolveProcesses({ cmdline: 'server\\.js --port 808[0-9]' });
 */
export async function resolveProcesses(raw: JsonObject | undefined): Promise<Target[]> {
  const parsed = processQuerySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `invalid process target: ${issue?.message ?? ''}`, {
      location: { path: ['target', ...(issue?.path ?? []).map(String)] },
      hint: 'a process target is { pid?, name?, cmdline? (regex), pidfile?, managed? }',
    });
  }
  const q = parsed.data;
  const pins: number[] = [];
  if (q.pid !== undefined) pins.push(q.pid);
  if (q.pidfile !== undefined) pins.push(await readPidfile(q.pidfile));
  const supervised = supervisedPids();
  const managed = new Map(supervised);
  if (q.managed !== undefined) {
    const record = await findManaged(q.managed);
    if (!(await isSameProcess(record.pid, record.startTime))) return [];
    pins.push(record.pid);
    managed.set(record.pid, q.managed);
  }
  const pattern = q.cmdline === undefined ? undefined : compile(q.cmdline);
  // A pinned pid needs only that process and the parent chains; a name or regex needs the whole table.
  const pinned = pins[0];
  const procs = pinned !== undefined ? [readProcSync(pinned)].filter((p) => p !== undefined) : await listProcs();
  const table = new Map(procs.map((p) => [p.pid, p]));
  const parentOf = (pid: number) => (table.get(pid) ?? readProcSync(pid))?.ppid;
  const allowed = new Set(managed.keys());
  const guarded = (p: ProcInfo) => isProtected(p.pid, process.pid, allowed, parentOf);
  const matches = procs.filter(
    (p) =>
      pins.every((pin) => pin === p.pid) &&
      (q.name === undefined || p.comm === q.name) &&
      (pattern === undefined || pattern.test(commandLine(p))) &&
      p.state !== 'Z' &&
      p.state !== 'X',
  );
  const refused = matches.filter(guarded);
  if (refused.length > 0 && (pins.length > 0 || refused.length === matches.length)) {
    const who = refused.map((p) => `${p.comm} (pid ${p.pid})`).join(', ');
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `refusing to target ${who}: PID 1 or turbulence's own process tree`,
      {
        hint: 'turbulence never signals PID 1, itself, its parents or its own children (except processes it supervises)',
      },
    );
  }
  return matches.filter((p) => !guarded(p)).map((p) => toTarget(p, managed));
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `cmdline is not a valid regular expression: ${errorMessage(err)}`,
      {
        location: { path: ['target', 'cmdline'] },
      },
    );
  }
}
