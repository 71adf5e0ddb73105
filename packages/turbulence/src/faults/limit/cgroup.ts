/**
 * cgroup plumbing for resource faults, v1 and v2 (detected). A fault creates its own cgroup
 * `turbulence_<key>` as a CHILD of the target's current cgroup (so limits nest inside whatever already
 * contains the target), moves the target's processes in, writes its settings, and on revert moves every process
 * still in there back to the parent and removes the cgroup.
 *
 *   v1:  /sys/fs/cgroup/<controller>/<target's path>/turbulence_<key>/{memory.limit_in_bytes, ...}
 *   v2:  /sys/fs/cgroup/<target's path>/turbulence_<key>/{memory.max, cgroup.freeze, ...}
 */
import { existsSync, readFileSync, rmdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { CapabilityResult } from '../../core/fault.js';
import { cgroupsOf } from '../../os/proc.js';
import { isRoot } from '../../os/tools.js';

const ROOT = '/sys/fs/cgroup';

/** The cgroup version of this machine's hierarchy. */
export function cgroupVersion(): 1 | 2 {
  return existsSync(join(ROOT, 'cgroup.controllers')) ? 2 : 1;
}

/** Whether a controller (`memory`, `cpu`, `pids`, `freezer`, `blkio`/`io`) can be used here. */
export function controllerAvailable(v1: string, v2: string): CapabilityResult {
  if (!isRoot()) return { ok: false, reason: 'needs root' };
  if (cgroupVersion() === 2) {
    if (v2 === 'freeze') return { ok: true, detail: 'cgroup v2 cgroup.freeze' };
    const ctl = readFileSync(join(ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/);
    return ctl.includes(v2) ? { ok: true, detail: `cgroup v2 ${v2}` } : { ok: false, reason: `no ${v2} controller` };
  }
  return existsSync(join(ROOT, v1, 'cgroup.procs'))
    ? { ok: true, detail: `cgroup v1 ${v1}` }
    : { ok: false, reason: `no cgroup v1 ${v1} hierarchy at ${join(ROOT, v1)}` };
}

/** Directory of the cgroup `pid` is in, for a v1 controller (or the v2 unified one). */
export function cgroupDirOf(pid: number, v1Controller: string): string {
  const groups = cgroupsOf(pid);
  if (cgroupVersion() === 2) {
    const rel = groups.find((g) => g.hierarchy === 0 && g.controllers.length === 0)?.path ?? '/';
    return join(ROOT, rel).replace(/\/+$/, '');
  }
  for (const g of groups) {
    if (g.controllers.includes(v1Controller)) return join(ROOT, v1Controller, g.path).replace(/\/+$/, '');
  }
  throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `process ${pid} is in no ${v1Controller} cgroup`);
}

/** PIDs in a cgroup (none when it does not exist). */
export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Writes one cgroup file, turning the kernel's EINVAL/EBUSY into an error that names the file and value. */
export function writeCgroup(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INJECT_FAILED,
      `cannot write ${value} to ${join(dir, file)}: ${errorMessage(err)}`,
      {
        cause: err,
        hint: 'check the value and that the controller is enabled for this cgroup',
      },
    );
  }
}

/** Creates (if needed) the fault's cgroup under `parent`, enabling v2 controllers first. */
export function createCgroup(parent: string, name: string, v2Controllers: readonly string[]): string {
  const dir = join(parent, name);
  if (cgroupVersion() === 2) {
    for (const c of v2Controllers) {
      if (c !== 'freeze') writeCgroup(parent, 'cgroup.subtree_control', `+${c}`);
    }
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Moves processes into a cgroup. */
export function moveInto(dir: string, pids: readonly number[]): void {
  for (const pid of pids) writeCgroup(dir, 'cgroup.procs', String(pid));
}

/**
 * Moves every process still in `dir` back to `parent` and removes `dir`. Safe when `dir` is already gone.
 * A process that exited meanwhile is skipped.
 */
export function dissolveCgroup(dir: string, parent: string): void {
  if (!existsSync(dir)) return;
  for (let i = 0; i < 3; i++) {
    for (const pid of cgroupPids(dir)) {
      try {
        writeFileSync(join(parent, 'cgroup.procs'), String(pid));
      } catch {
        // exited meanwhile
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch {
      // a process raced in (a fork); try again
    }
  }
  throw new TurbulenceError(ErrorCodes.FAULT_REVERT_FAILED, `cannot remove cgroup ${dir}`, {
    hint: `move its processes out (cat ${join(dir, 'cgroup.procs')}) and rmdir it`,
  });
}
