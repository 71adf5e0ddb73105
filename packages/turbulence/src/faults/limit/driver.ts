/**
 * The shape shared by cgroup-based faults: a child cgroup `turbulence_<fault id>` of the target's own, holding
 * the target, with the variant's settings written in. A variant is one file: kind, controller, params, settings.
 *
 * A process is in exactly one cgroup (per v1 hierarchy), so two cgroup faults on one process cannot coexist: the
 * second is refused, naming the first, instead of moving the process out from under it.
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
  return {
    kind: variant.kind,
    summary: variant.summary,
    params: variant.params,
    targets: ['process'],
    resolveTargets: (query) => resolveProcessTargets(query),
    check: () => Promise.resolve(controllerAvailable(v1, v2)),
    exclusive: (target) => `cgroup:${target.id}`,
    inject: (target, params, ctx) =>
      Promise.resolve().then(() => injectNow(target, params, faultIdOf(ctx, variant.kind, target, params))),
    revert: (fault) => Promise.resolve().then(() => revertNow(fault.target, fault.id, fault.state)),
    verify: (fault) => Promise.resolve().then(() => verifyNow(fault.target, fault.id, fault.state)),
  };
}
