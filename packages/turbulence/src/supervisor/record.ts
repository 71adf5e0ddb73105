/**
 * @module What a supervised process is (its spec: the one spec of managed processes and lab services) and how it
 * is recorded on disk (`${TURBULENCE_HOME}/managed/<name>.json`), so that `process.restart`, `process.kill` with
 * `restart: true` and `turbulence recover` can find and restart it from any turbulence process.
 */
import { closeSync, openSync, mkdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, dirname } from 'node:path';
import { spawn, type SpawnOptions } from 'node:child_process';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { spawnWithResolver } from '../dns/resolver.js';
import { managedDir, turbulenceHome } from '../os/home.js';
import { removeFileDurably, writeFileAtomic } from '../os/atomic.js';
import { startTimeOfSync } from '../os/proc.js';
import { inNetns } from '../os/exec.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A host name or an IP address (v4 or v6): never anything a shell or a URL would read differently. */
const HOST = /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/;
/** A network namespace name as `ip netns` takes it (a file name in /run/netns). */
const NETNS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * How to tell that a started process is ready; each check runs inside the process's `netns` when it has one.
 * `exec` is an argv (exit 0 = ready), or a string the user wrote, run by `/bin/sh -c` as it is.
 */
export const readinessSchema = z.union([
  z.object({
    tcp: z.object({
      host: z.string().regex(HOST, 'a host name or an IP address').default('127.0.0.1'),
      port: z.number().int().min(1).max(65535),
    }),
  }),
  z.object({ http: z.url() }),
  z.object({ exec: z.union([z.array(z.string()).min(1), z.string().min(1)]) }),
]);
/** A readiness check: `{ tcp: { host, port } }`, `{ http: url }` or `{ exec: argv | "shell command" }`. */
export type Readiness = z.infer<typeof readinessSchema>;

/** A process turbulence starts and supervises. */
export const managedSpecSchema = z.object({
  /** Unique name; targets refer to it as `{ managed: name }`. */
  name: z.string().regex(NAME, 'use letters, digits, dot, dash and underscore'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to the environment of the supervising process. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  readiness: readinessSchema.optional(),
  /** Milliseconds to wait for readiness (default 10 s). */
  readyTimeoutMs: z.number().int().positive().default(10_000),
  /** Milliseconds between readiness checks (default 50). */
  readyIntervalMs: z.number().int().positive().default(50),
  /** `never` (default), `on-failure` (non-zero exit or a signal), `always`; see `restart.ts` for the backoff. */
  restart: z.enum(['never', 'on-failure', 'always']).default('never'),
  /** Delay before a policy restart, doubling with each restart in the last 10 s, at most 4× (default 100). */
  restartDelayMs: z.number().int().nonnegative().default(100),
  /** Milliseconds between SIGTERM and SIGKILL when the process is stopped (default 5 s). */
  stopTimeoutMs: z.number().int().positive().default(5000),
  /** Run inside this network namespace (`ip netns exec`, as lab services are); readiness is checked there too. */
  netns: z.string().regex(NETNS, 'a network namespace name').optional(),
  /** Where stdout and stderr go (appended); default `managed/<name>.log`. */
  log: z.string().optional(),
  /**
   * Resolve names through this DNS server (an IP address; port 53): the process gets a private mount namespace
   * with a generated `/etc/resolv.conf` naming it, e.g. a chaos DNS server from `startChaosResolver()`. Needs root.
   */
  nameserver: z
    .union([z.ipv4(), z.ipv6()], { error: 'must be an IP address (port 53 is implied), e.g. 127.0.0.153' })
    .optional(),
});
/** A supervised process as callers write it (defaults optional). */
export type ManagedSpecInput = z.input<typeof managedSpecSchema>;
/** A supervised process with defaults applied. */
export type ManagedSpec = z.output<typeof managedSpecSchema>;

/** The on-disk record of a supervised process. */
export interface ManagedRecord {
  spec: ManagedSpec;
  pid: number;
  startTime: string;
  /** ISO-8601 of the latest start. */
  startedAt: string;
  restarts: number;
  /** The turbulence process supervising it; absent when it was respawned by a process that does not watch it. */
  supervisor?: { pid: number; startTime: string; host: string };
  log: string;
  /** Ids of the spec overrides (`config.env`, `config.arg` faults) this start applied; see `overrides.ts`. */
  overrides?: string[];
}

/** The names of every managed record in the home, sorted (none when the folder does not exist). */
export async function listRecordNames(home: string = turbulenceHome()): Promise<string[]> {
  try {
    const files = await readdir(managedDir(home));
    return files
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Path of a managed record. */
export function recordFile(name: string, home: string = turbulenceHome()): string {
  return join(managedDir(home), `${checkName(name)}.json`);
}

/** Default log file of a managed process. */
export function logFile(spec: ManagedSpec, home: string = turbulenceHome()): string {
  return spec.log ?? join(managedDir(home), `${spec.name}.log`);
}

/** Reads a managed record; undefined when there is none. */
export async function readRecord(name: string, home: string = turbulenceHome()): Promise<ManagedRecord | undefined> {
  const file = recordFile(name, home);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ManagedRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TurbulenceError(ErrorCodes.LEDGER, `managed record of ${name} is unreadable: ${errorMessage(err)}`, {
      location: { file },
      hint: 'stop the process by hand and delete the file',
    });
  }
}

/** Writes a managed record atomically. */
export async function writeRecord(record: ManagedRecord, home: string = turbulenceHome()): Promise<void> {
  await writeFileAtomic(recordFile(record.spec.name, home), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes a managed record. */
export async function removeRecord(name: string, home: string = turbulenceHome()): Promise<void> {
  await removeFileDurably(recordFile(name, home));
}

/** This process as a supervisor. */
export function selfAsSupervisor(): { pid: number; startTime: string; host: string } {
  return { pid: process.pid, startTime: startTimeOfSync(process.pid) ?? '', host: hostname() };
}

/**
 * Spawns a managed process in its own process group (so stopping it stops its children too), with stdout and
 * stderr appended to its log. `unset` names variables removed from its environment (a `config.env` fault).
 */
export function spawnManaged(spec: ManagedSpec, log: string, detached: boolean, unset: readonly string[] = []) {
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
    for (const name of unset) delete env[name];
    const options: SpawnOptions = {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
    };
    // `ip netns exec`, unshare and sh all exec into the command: the recorded PID is still the command's own.
    const [command, ...args] = inNetns(spec.netns, [spec.command, ...spec.args]) as [string, ...string[]];
    const child = spec.nameserver
      ? spawnWithResolver(command, args, { nameserver: spec.nameserver }, options)
      : spawn(command, args, options);
    if (detached) child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `${JSON.stringify(name)} is not a managed process name`, {
      hint: 'names use letters, digits, dot, dash and underscore',
    });
  }
  return name;
}
