/**
 * @module Reading processes from `/proc`: name (`comm`), state, parent, start time, command line and cgroups.
 *
 * A pid alone does not name a process for long: the kernel recycles pids. Every process turbulence records
 * carries its start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot), and every signal it sends
 * later goes through {@link isSameProcess} first, so a recycled pid is never signalled.
 */
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as `/proc` shows it. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** `comm`: the executable name, at most 15 characters. */
  comm: string;
  /** One letter: R running, S sleeping, D disk, T stopped, t traced, Z zombie, X dead, I idle. */
  state: string;
  /** Field 22 of `/proc/<pid>/stat`, as a decimal string (it can exceed 2^53 on long-lived hosts). */
  startTime: string;
  /** Arguments from `/proc/<pid>/cmdline` (empty for kernel threads and zombies). */
  argv: string[];
}

/**
 * Parses the content of `/proc/<pid>/stat`. `comm` may contain spaces and parentheses, so fields are counted
 * from the last `)`.
 */
export function parseStat(text: string): Pick<ProcInfo, 'pid' | 'ppid' | 'comm' | 'state' | 'startTime'> | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = rest[19];
  if (!Number.isInteger(pid) || state === undefined || startTime === undefined || !Number.isInteger(ppid)) {
    return undefined;
  }
  return { pid, ppid, comm: text.slice(open + 1, close), state, startTime };
}

/**
 * The process with this pid, or undefined when there is none (or it vanished while being read). Reads are
 * synchronous on purpose: `/proc` files are tiny and generated on read, and a thread-pool round trip per file costs
 * several times the read itself.
 */
export function readProcSync(pid: number): ProcInfo | undefined {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!stat) return undefined;
    let raw = '';
    try {
      raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // a zombie or a process that just exited: no command line
    }
    return { ...stat, argv: raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1) };
  } catch {
    return undefined;
  }
}

/** {@link readProcSync}, as a promise. */
export function readProc(pid: number): Promise<ProcInfo | undefined> {
  return Promise.resolve(readProcSync(pid));
}

/** Start time of a pid (synchronous, for exit paths), or undefined when it does not exist. */
export function startTimeOfSync(pid: number): string | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTime;
  } catch {
    return undefined;
  }
}

/** Process group of a pid (field 5 of `/proc/<pid>/stat`), or undefined when it does not exist. */
export function processGroupOfSync(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const pgrp = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
    return Number.isInteger(pgrp) ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/** Every process now visible in `/proc`, by ascending pid. */
export function listProcs(): Promise<ProcInfo[]> {
  const pids = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  return Promise.resolve(pids.map(readProcSync).filter((p): p is ProcInfo => p !== undefined));
}

/**
 * True when `pid` still is the process that started at `startTime` and has not exited (zombies count as exited).
 *
 * @example
 * if (await isSameProcess(4242, '123456')) process.kill(4242, 'SIGCONT');
 */
export async function isSameProcess(pid: number, startTime: string): Promise<boolean> {
  const info = await readProc(pid);
  return info !== undefined && info.startTime === startTime && info.state !== 'Z' && info.state !== 'X';
}

/** Polls until `check` is true or `timeoutMs` elapses; resolves to the last result. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The command line as one string, for regex matching and for humans. */
export function commandLine(info: ProcInfo): string {
  return info.argv.length > 0 ? info.argv.join(' ') : `[${info.comm}]`;
}

/** One line of `/proc/<pid>/cgroup`: hierarchy id, controllers (empty for the v2 unified hierarchy), path. */
export interface ProcCgroup {
  hierarchy: number;
  controllers: string[];
  path: string;
}

/**
 * The cgroups a process is in (`/proc/<pid>/cgroup`). Throws when the process does not exist.
 *
 * @example
 * cgroupsOf(process.pid); // [{ hierarchy: 0, controllers: [], path: '/user.slice/...' }] on cgroup v2
 */
export function cgroupsOf(pid: number): ProcCgroup[] {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const first = line.indexOf(':');
      const second = line.indexOf(':', first + 1);
      const ctls = line.slice(first + 1, second);
      return {
        hierarchy: Number(line.slice(0, first)),
        controllers: ctls.length > 0 ? ctls.split(',') : [],
        path: line.slice(second + 1),
      };
    });
}

/** True when `/proc` can be read here (Linux); where it cannot, process targets cannot be found or checked. */
export async function procReadable(): Promise<boolean> {
  try {
    await readFile('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/**
 * The environment a process started with (`/proc/<pid>/environ`), or undefined when it is gone or not readable
 * (another user's process, without root).
 *
 * @example
 * environOf(4242)?.get('PORT'); // '8080'
 */
export function environOf(pid: number): Map<string, string> | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  const out = new Map<string, string>();
  for (const pair of raw.split('\0')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out.set(pair.slice(0, eq), Buffer.from(pair.slice(eq + 1), 'latin1').toString('utf8'));
  }
  return out;
}
