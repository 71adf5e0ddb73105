/**
 * @module Cgroup targets (type `cgroup`): one existing cgroup, by its path as `/proc/<pid>/cgroup` shows it.
 *
 *   { cgroup: '/kubepods.slice/…/cri-containerd-4f1c….scope' }  →  id `cgroup:<path>`
 *
 * The target carries a snapshot of the cgroup's limits as they are when it is resolved (`saved`: cpu.max,
 * memory.max, pids.max on v2; cpu.cfs_period_us, cpu.cfs_quota_us, memory.limit_in_bytes, pids.max on v1). The
 * fault manager records the target in the ledger BEFORE the fault acts, so a fault that changes one of these
 * limits in place can always put the previous value back, even when its runner died in the middle of inject.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { cgroupQuerySchema } from './queries.js';

export { cgroupQuerySchema } from './queries.js';

const ROOT = '/sys/fs/cgroup';

/** The limit files a cgroup target snapshots: v2 file → itself; v1 file → its controller's hierarchy. */
const LIMIT_FILES = {
  2: { 'cpu.max': '', 'memory.max': '', 'pids.max': '' },
  1: {
    'cpu.cfs_period_us': 'cpu',
    'cpu.cfs_quota_us': 'cpu',
    'memory.limit_in_bytes': 'memory',
    'pids.max': 'pids',
  },
} as const;

/** What a cgroup target carries. */
export interface CgroupAttributes {
  /** The path inside the hierarchy (`/kubepods/...`). */
  cgroup: string;
  /** Limit file → its value when the target was resolved (only files that exist there). */
  saved: Record<string, string>;
}

const version = (): 1 | 2 => (existsSync(join(ROOT, 'cgroup.controllers')) ? 2 : 1);

/**
 * The directory of a cgroup for a controller (v1: `/sys/fs/cgroup/<controller>/<path>`; v2: the unified one).
 *
 * @example
 * cgroupDir('/kubepods/pod1/abc', 'memory'); // '/sys/fs/cgroup/memory/kubepods/pod1/abc' on v1
 */
export function cgroupDir(path: string, v1Controller: string): string {
  return version() === 2 ? join(ROOT, path) : join(ROOT, v1Controller, path);
}

/** True when `query` names a cgroup (and nothing else). */
export function isCgroupQuery(query: JsonObject | undefined): boolean {
  return query !== undefined && typeof query.cgroup === 'string';
}

/** The cgroup target's attributes. */
export function cgroupAttributes(target: Target): CgroupAttributes {
  const a = target.attributes as unknown as Partial<CgroupAttributes>;
  return { cgroup: String(a.cgroup), saved: { ...(a.saved ?? {}) } };
}

/**
 * Resolves `{ cgroup: PATH }` to one target, with the snapshot of its limits.
 *
 * @example
 * await resolveCgroups({ cgroup: '/kubepods/pod1/abc' }); // [{ id: 'cgroup:/kubepods/pod1/abc', type: 'cgroup', ... }]
 */
export function resolveCgroups(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = cgroupQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    return Promise.reject(
      new TurbulenceError(
        ErrorCodes.FAULT_INVALID_PARAMS,
        `invalid cgroup target: ${parsed.error.issues[0]?.message}`,
        {
          location: { path: ['target', 'cgroup'] },
          hint: 'e.g. target: { cgroup: /system.slice/app.service } (a path as /proc/<pid>/cgroup shows it)',
        },
      ),
    );
  }
  const path = parsed.data.cgroup.replace(/\/+$/, '');
  const v = version();
  const saved: Record<string, string> = {};
  let found = false;
  for (const [file, controller] of Object.entries(LIMIT_FILES[v])) {
    const dir = cgroupDir(path, controller);
    if (!existsSync(dir)) continue;
    found = true;
    try {
      saved[file] = readFileSync(join(dir, file), 'utf8').trim();
    } catch {
      // no such controller file here (controller not enabled for this cgroup)
    }
  }
  if (!found) {
    return Promise.reject(
      new TurbulenceError(ErrorCodes.TARGET_REFUSED, `cgroup ${path} does not exist`, {
        hint: `see /proc/<pid>/cgroup of a process in it; looked under ${ROOT}`,
      }),
    );
  }
  const attributes: JsonObject = { cgroup: path, saved };
  return Promise.resolve([{ id: `cgroup:${path}`, type: 'cgroup', name: `cgroup ${path}`, attributes }]);
}
