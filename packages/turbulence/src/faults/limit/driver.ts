/**
 * The shape shared by cgroup-based faults: a child cgroup `turbulence_<key>` of the target's own, holding the
 * target, with the variant's settings written in. A variant is one file: kind, controller, params, settings.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { z } from 'zod';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { alive } from '../../os/signals.js';
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

/** The cgroup name of a fault: stable for kind + target, so revert finds it without state. */
const nameFor = (kind: string, target: Target): string =>
  `turbulence_${createHash('sha1').update(`${kind}\n${target.id}`).digest('hex').slice(0, 10)}`;

/**
 * Builds a {@link FaultDriver} from a cgroup variant.
 *
 * @example
 * export const pidsDriver = cgroupDriver({ kind: 'limit.pids', controller: { v1: 'pids', v2: 'pids' }, ... });
 */
export function cgroupDriver<P>(variant: CgroupVariant<P>): FaultDriver<P> {
  const { v1, v2 } = variant.controller;
  const stateOf = (target: Target, state: unknown): CgroupState | undefined => {
    const s = state as Partial<CgroupState> | undefined;
    if (s?.dir && s.parent) return s as CgroupState;
    const pid = pidOf(target);
    if (!alive(pid)) return undefined;
    const parent = cgroupDirOf(pid, v1);
    const name = nameFor(variant.kind, target);
    // The target may already be inside our cgroup (inject ran, state was lost).
    return parent.endsWith(`/${name}`)
      ? { parent: parent.slice(0, -name.length - 1), dir: parent }
      : { parent, dir: join(parent, name) };
  };
  const injectNow = (target: Target, params: P): JsonObject => {
    const avail = controllerAvailable(v1, v2);
    if (!avail.ok) throw unsupported(variant.kind, avail.reason);
    const s = stateOf(target, undefined) as CgroupState;
    const version = cgroupVersion();
    createCgroup(s.parent, nameFor(variant.kind, target), [v2]);
    moveInto(s.dir, [pidOf(target)]);
    for (const [file, value] of variant.settings(params, version)) writeCgroup(s.dir, file, value);
    return { parent: s.parent, dir: s.dir, version };
  };
  const revertNow = (target: Target, state: unknown): void => {
    const s = stateOf(target, state);
    if (!s) return;
    try {
      for (const [file, value] of variant.release?.(cgroupVersion()) ?? []) writeCgroup(s.dir, file, value);
    } catch {
      // the cgroup is already gone
    }
    dissolveCgroup(s.dir, s.parent);
  };
  const verifyNow = (target: Target, state: unknown): boolean => {
    const s = stateOf(target, state);
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
    inject: (target, params) => Promise.resolve().then(() => injectNow(target, params)),
    revert: (fault) => Promise.resolve().then(() => revertNow(fault.target, fault.state)),
    verify: (fault) => Promise.resolve().then(() => verifyNow(fault.target, fault.state)),
  };
}
