/**
 * The shape shared by cgroup-based faults: a child cgroup `turbulence_<fault id>` of the target's own, holding
 * the target, with the variant's settings written in. A variant is one file: kind, controller, params, settings.
 *
 * A process is in exactly one cgroup (per v1 hierarchy), so two cgroup faults on one process cannot coexist: the
 * second is refused, naming the first, instead of moving the process out from under it.
 *
 * Variants with `inPlace` also take a cgroup target (`{ cgroup: PATH }`, `targets/cgroup.ts`): their settings are
 * written on that cgroup itself (a container's, for the Kubernetes agent), and revert writes back the values the
 * target's snapshot held (taken at resolve time, in the ledger before the fault acts), in reverse order.
 */
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { alive } from '../../os/signals.js';
import { faultIdOf, objectName } from '../naming.js';
import { unsupported } from '../network/capabilities.js';
import {
  cgroupDirOf,
  cgroupVersion,
  controllerAvailable,
  createCgroup,
  dissolveCgroup,
  moveInto,
  writeCgroup,
} from './cgroup.js';
import { pidOf, resolveProcessTargets } from '../../targets/lab-service.js';
import { cgroupAttributes, cgroupDir, isCgroupQuery, resolveCgroups } from '../../targets/cgroup.js';
import { readFileSync } from 'node:fs';

/** What a cgroup variant file supplies. */
export interface CgroupVariant<P> {
  kind: string;
  summary: string;
  params: z.ZodType<P>;
  /** v1 hierarchy and v2 controller names (`freezer`/`freeze`, `memory`/`memory`, `blkio`/`io`, ...). */
  controller: { v1: string; v2: string };
  /** Files to write after the target moved in, in order. */
  settings(params: P, version: 1 | 2): [file: string, value: string][];
  /** Files to write before the processes move back out (e.g. thaw). */
  release?(version: 1 | 2): [file: string, value: string][];
  /** Extra check that the fault is in effect (the settings were read back already). */
  verify?(dir: string, version: 1 | 2): boolean;
  /** Also accepts a cgroup target, changed in place (see the module comment). */
  inPlace?: boolean;
}

interface InPlaceState extends JsonObject {
  dir: string;
  /** file → the value written back on revert. */
  saved: Record<string, string>;
}

const readValue = (dir: string, file: string): string | undefined => {
  try {
    return readFileSync(join(dir, file), 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** A value read back equals the one written (the kernel rounds byte counts down to a page). */
const sameValue = (read: string, written: string): boolean => {
  const [a = '', b = ''] = [read.split(/\s+/)[0], written.split(/\s+/)[0]];
  return a === b || (/^\d+$/.test(a) && /^\d+$/.test(b) && Math.abs(Number(a) - Number(b)) < 65_536);
};

/** Inject/revert/verify of a variant on a cgroup target, in place. */
function inPlace<P>(variant: CgroupVariant<P>) {
  const dirOf = (target: Target) => cgroupDir(cgroupAttributes(target).cgroup, variant.controller.v1);
  return {
    inject(target: Target, params: P): InPlaceState {
      const avail = controllerAvailable(variant.controller.v1, variant.controller.v2);
      if (!avail.ok) throw unsupported(variant.kind, avail.reason);
      const dir = dirOf(target);
      const snapshot = cgroupAttributes(target).saved;
      const settings = variant.settings(params, cgroupVersion());
      const saved: Record<string, string> = {};
      for (const [file] of settings) {
        const before = snapshot[file] ?? readValue(dir, file);
        if (before === undefined)
          throw unsupported(variant.kind, `${join(dir, file)} cannot be read (is the controller enabled there?)`);
        saved[file] = before;
      }
      for (const [file, value] of settings) writeCgroup(dir, file, value);
      return { dir, saved };
    },
    revert(target: Target, params: P, state: unknown): void {
      const dir = (state as Partial<InPlaceState> | undefined)?.dir ?? dirOf(target);
      const saved = (state as Partial<InPlaceState> | undefined)?.saved ?? cgroupAttributes(target).saved;
      const files = variant.settings(params, cgroupVersion()).map(([file]) => file);
      for (const file of files.reverse()) {
        const value = saved[file];
        if (value === undefined || readValue(dir, file) === undefined) continue; // the cgroup is gone
        // v1 reads "max" back as a huge number and cpu quota as -1: both are also what it accepts.
        writeCgroup(dir, file, value);
      }
    },
    verify(target: Target, params: P): boolean {
      const dir = dirOf(target);
      return variant
        .settings(params, cgroupVersion())
        .every(([file, value]) => sameValue(readValue(dir, file) ?? '', value));
    },
  };
}

interface CgroupState {
  parent: string;
  dir: string;
}

/** The cgroup name of a fault: `turbulence_` + its ledger id, so revert finds it without state. */
const nameFor = (faultId: string): string => objectName('turbulence_', faultId);

/** Refuses a target that another fault's cgroup already holds. */
function refuseIfHeld(kind: string, target: Target, current: string, mine: string): void {
  const held = basename(current);
  if (!held.startsWith('turbulence_') || held === mine) return;
  throw new TurbulenceError(
    ErrorCodes.FAULT_INJECT_FAILED,
    `${kind} cannot coexist with the fault already on ${target.name}: it is in cgroup ${held}`,
    {
      hint: 'a process is in one cgroup at a time, so one cgroup fault (limit.*, cgroup.freeze) per process: revert the other first (`turbulence fault list`)',
    },
  );
}

/**
 * Builds a {@link FaultDriver} from a cgroup variant.
 *
 * @example
 * export const pidsDriver = cgroupDriver({ kind: 'limit.pids', controller: { v1: 'pids', v2: 'pids' }, ... });
 */
export function cgroupDriver<P>(variant: CgroupVariant<P>): FaultDriver<P> {
  const { v1, v2 } = variant.controller;
  const stateOf = (target: Target, faultId: string, state: unknown): CgroupState | undefined => {
    const s = state as Partial<CgroupState> | undefined;
    if (s?.dir && s.parent) return s as CgroupState;
    const pid = pidOf(target);
    if (!alive(pid)) return undefined;
    const parent = cgroupDirOf(pid, v1);
    const name = nameFor(faultId);
    // The target may already be inside our cgroup (inject ran, state was lost).
    return parent.endsWith(`/${name}`)
      ? { parent: parent.slice(0, -name.length - 1), dir: parent }
      : { parent, dir: join(parent, name) };
  };
  const injectNow = (target: Target, params: P, faultId: string): JsonObject => {
    const avail = controllerAvailable(v1, v2);
    if (!avail.ok) throw unsupported(variant.kind, avail.reason);
    const s = stateOf(target, faultId, undefined) as CgroupState;
    refuseIfHeld(variant.kind, target, s.parent, nameFor(faultId));
    const version = cgroupVersion();
    createCgroup(s.parent, nameFor(faultId), [v2]);
    moveInto(s.dir, [pidOf(target)]);
    for (const [file, value] of variant.settings(params, version)) writeCgroup(s.dir, file, value);
    return { parent: s.parent, dir: s.dir, version };
  };
  const revertNow = (target: Target, faultId: string, state: unknown): void => {
    const s = stateOf(target, faultId, state);
    if (!s) return;
    try {
      for (const [file, value] of variant.release?.(cgroupVersion()) ?? []) writeCgroup(s.dir, file, value);
    } catch {
      // the cgroup is already gone
    }
    dissolveCgroup(s.dir, s.parent);
  };
  const verifyNow = (target: Target, faultId: string, state: unknown): boolean => {
    const s = stateOf(target, faultId, state);
    if (!s) return false;
    const inside = cgroupDirOf(pidOf(target), v1) === s.dir;
    return inside && (variant.verify?.(s.dir, cgroupVersion()) ?? true);
  };
  const here = inPlace(variant);
  const cgroupTarget = (target: Target) => target.type === 'cgroup';
  return {
    kind: variant.kind,
    summary: variant.summary,
    params: variant.params,
    targets: variant.inPlace ? ['process', 'cgroup'] : ['process'],
    resolveTargets: (query) =>
      variant.inPlace && isCgroupQuery(query) ? resolveCgroups(query) : resolveProcessTargets(query),
    check: () => Promise.resolve(controllerAvailable(v1, v2)),
    // In place, one fault per limit file: two kinds on one cgroup coexist, the same kind twice does not.
    exclusive: (target) => (cgroupTarget(target) ? `${target.id}:${variant.kind}` : `cgroup:${target.id}`),
    inject: (target, params, ctx) =>
      Promise.resolve().then(() =>
        cgroupTarget(target)
          ? here.inject(target, params)
          : injectNow(target, params, faultIdOf(ctx, variant.kind, target, params)),
      ),
    revert: (fault) =>
      Promise.resolve().then(() =>
        cgroupTarget(fault.target)
          ? here.revert(fault.target, fault.params, fault.state)
          : revertNow(fault.target, fault.id, fault.state),
      ),
    verify: (fault) =>
      Promise.resolve().then(() =>
        cgroupTarget(fault.target)
          ? here.verify(fault.target, fault.params)
          : verifyNow(fault.target, fault.id, fault.state),
      ),
  };
}
