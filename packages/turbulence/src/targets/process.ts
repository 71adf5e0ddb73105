/**
 * @module Process targets (type `process`): the query `{ pid?, name?, cmdline?, pidfile?, managed?, lab?, host?,
 * service? }` (all given fields must match; `lab`, `host` and `service` together name a lab service's managed
 * process), resolved through `/proc`. Each target's id is `pid:<pid>` and its attributes carry the pid's start
 * time, so a recycled pid is never mistaken for the process that was chosen.
 *
 * This resolver finds; it does not judge. The fault manager applies the safety guard (`./guard.ts`: PID 1,
 * turbulence's own process tree and group) to what it returns, for every family at once.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { Target } from '../core/fault.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { serviceProcessName } from '../lab/names.js';
import { readLabState } from '../lab/state.js';
import { findManaged, recordedManagedPids } from '../supervisor/managed.js';
import { supervisedPids } from '../supervisor/live.js';
import { commandLine, isSameProcess, listProcs, readProcSync } from '../os/proc.js';
import type { ProcInfo } from '../os/proc.js';

import { processQuerySchema } from './queries.js';

export { processQuerySchema } from './queries.js';

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

function toTarget(p: ProcInfo, managed: Map<number, string>): Target {
  const cmdline = commandLine(p);
  const name = managed.get(p.pid);
  const attributes: JsonObject = { pid: p.pid, startTime: p.startTime, comm: p.comm, cmdline };
  if (name !== undefined) attributes.managed = name;
  const label = name !== undefined ? `${name} (pid ${p.pid})` : `${cmdline.slice(0, 60)} (pid ${p.pid})`;
  // Stable across runs: the managed name, else the command line; processes with the same command line in the
  // order they started (start time in clock ticks since boot, zero-padded so it sorts as a number).
  const identity = `${name ?? cmdline}\u0000${p.startTime.padStart(20, '0')}`;
  return { id: `pid:${p.pid}`, type: 'process', name: label, attributes, identity };
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
 * Processes matching a query, zombies excluded. Protected processes are included: the fault manager's guard
 * drops or refuses them.
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
      hint: 'a process target is { pid?, name?, cmdline? (regex), pidfile?, managed? } or { lab, host, service }',
    });
  }
  const q = parsed.data;
  const pins: number[] = [];
  if (q.pid !== undefined) pins.push(q.pid);
  if (q.pidfile !== undefined) pins.push(await readPidfile(q.pidfile));
  const supervised = supervisedPids();
  const managed = new Map(supervised);
  const names = [q.managed, labServiceProcess(q)].filter((n): n is string => n !== undefined);
  for (const name of names) {
    const record = await findManaged(name);
    if (!(await isSameProcess(record.pid, record.startTime))) return [];
    pins.push(record.pid);
    managed.set(record.pid, name);
  }
  const pattern = q.cmdline === undefined ? undefined : compile(q.cmdline);
  // A pinned pid needs only that process and the parent chains; a name or regex needs the whole table.
  const pinned = pins[0];
  const procs = pinned !== undefined ? [readProcSync(pinned)].filter((p) => p !== undefined) : await listProcs();
  const matches = procs.filter(
    (p) =>
      pins.every((pin) => pin === p.pid) &&
      (q.name === undefined || p.comm === q.name) &&
      (pattern === undefined || pattern.test(commandLine(p))) &&
      p.state !== 'Z' &&
      p.state !== 'X',
  );
  // Processes that a supervisor in another turbulence process keeps (a lab's services, `turbulence supervise`):
  // known by their records, so a fault on `cmdline=...` still knows the process is supervised.
  if (matches.some((p) => !managed.has(p.pid))) {
    for (const [pid, r] of await recordedManagedPids()) {
      const p = matches.find((m) => m.pid === pid);
      if (p && p.startTime === r.startTime && !managed.has(pid)) managed.set(pid, r.name);
    }
  }
  return matches.map((p) => toTarget(p, managed));
}

/** The managed-process name of `{ lab, host, service }`, checked against the lab's state. */
function labServiceProcess(q: ProcessQuery): string | undefined {
  if (q.lab === undefined || q.host === undefined || q.service === undefined) return undefined;
  const lab = readLabState(q.lab);
  if (!lab) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `lab ${JSON.stringify(q.lab)} is not up`, {
      hint: 'start it with `turbulence lab up LABFILE`; `lab status` lists its hosts and services',
    });
  }
  const host = lab.hosts.find((h) => h.name === q.host);
  const service = host?.services[q.service];
  if (!host || !service) {
    const known = lab.hosts.flatMap((h) => Object.keys(h.services).map((s) => `${h.name}/${s}`));
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `lab ${q.lab} has no service ${JSON.stringify(`${q.host}/${q.service}`)}`,
      {
        hint:
          known.length > 0
            ? `${didYouMean(`${q.host}/${q.service}`, known)} (services: ${known.join(', ')})`
            : 'the lab runs no service',
      },
    );
  }
  return service.managed ?? serviceProcessName(lab.name, host.name, q.service);
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
