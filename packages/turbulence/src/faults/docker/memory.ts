/**
 * @module `container.limit-memory`: caps a container's memory by writing its memory cgroup directly. The Engine's
 * update cannot do it here: it can lower a limit but never lift one back to "unlimited" (`Memory: 0` is ignored),
 * so a revert through the Engine could not restore a container that had no limit. The files, cgroup v1 or v2:
 *
 *   v1: /sys/fs/cgroup/memory/<path>/memory.limit_in_bytes  (+ memory.memsw.limit_in_bytes = max + swap, if present)
 *   v2: /sys/fs/cgroup/<path>/memory.max                    (+ memory.swap.max = swap)
 *
 *   inject ─▶ read the values in force ─▶ $TURBULENCE_HOME/container-limits/<key>.json ─▶ write the cap
 *   revert ─▶ write the saved values back (v1: in the order the kernel accepts) ─▶ remove the file
 *
 * The values are saved BEFORE anything is written, so `recover` after a crash between the write and the ledger
 * puts them back. A container that was removed or stopped meanwhile has nothing to restore (the Engine creates the
 * cgroup afresh from its own settings at the next start), and the revert says so. Inspect does not show this cap
 * (`HostConfig.Memory` is the Engine's); the cgroup files do, and so does the kernel's OOM killer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { CapabilityResult, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from '../../os/atomic.js';
import { inspectContainer } from '../../os/docker.js';
import { isRoot } from '../../os/tools.js';
import { containerAttrs } from '../../targets/container.js';
import { cgroupDirOf, cgroupVersion, writeCgroup } from '../limit/cgroup.js';
import { faultIdOf } from '../naming.js';
import { dockerReachable, resolveFor } from './engine.js';
import { limitKeyOf, readSaved, savedDir, savedFile } from './limit.js';
import { limitMemoryParams } from './schema.js';

const KIND = 'container.limit-memory';
type Params = z.output<typeof limitMemoryParams>;

/** What inject found in force (file → value as the kernel printed it), and where. */
interface Saved {
  version: 1 | 2;
  dir: string;
  values: Record<string, string>;
}

/** v1 prints "unlimited" as a huge page-rounded number; `-1` is how it is written back. */
const UNLIMITED_V1 = 2n ** 62n;
const v1Value = (text: string): string => (BigInt(text.trim()) >= UNLIMITED_V1 ? '-1' : text.trim());
const v1Number = (text: string): bigint => (text === '-1' ? 2n ** 63n : BigInt(text));

const LIMIT_V1 = 'memory.limit_in_bytes';
const MEMSW_V1 = 'memory.memsw.limit_in_bytes';

/** The running container's memory cgroup directory and version; refuses a stopped container or a missing cgroup. */
async function memoryCgroup(target: Target): Promise<{ version: 1 | 2; dir: string }> {
  const info = await inspectContainer(containerAttrs(target).id);
  if (!info?.State.Running || !(info.State.Pid > 0)) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${KIND}: container ${target.name} is not running`, {
      hint: 'start it first: a stopped container has no memory cgroup to cap',
    });
  }
  const version = cgroupVersion();
  let dir: string;
  try {
    dir = cgroupDirOf(info.State.Pid, 'memory');
  } catch (err) {
    throw unsupportedHere(`container ${target.name} is in no memory cgroup (${errorMessage(err)})`);
  }
  const file = version === 2 ? 'memory.max' : LIMIT_V1;
  if (!existsSync(join(dir, file))) {
    throw unsupportedHere(
      version === 2
        ? `${join(dir, file)} does not exist: the memory controller is not enabled for the container's cgroup`
        : `${join(dir, file)} does not exist: no cgroup v1 memory hierarchy for the container`,
    );
  }
  return { version, dir };
}

const unsupportedHere = (why: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `${KIND} cannot run here: ${why}`, {
    hint: 'it needs root and the memory controller (cgroup v2 memory.max, or the cgroup v1 memory hierarchy); `turbulence doctor` shows what works',
  });

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8').trim();

/** The values in force now, as inject saves them. */
function currentValues(version: 1 | 2, dir: string): Record<string, string> {
  if (version === 2) {
    const out: Record<string, string> = { 'memory.max': read(dir, 'memory.max') };
    if (existsSync(join(dir, 'memory.swap.max'))) out['memory.swap.max'] = read(dir, 'memory.swap.max');
    return out;
  }
  const out: Record<string, string> = { [LIMIT_V1]: v1Value(read(dir, LIMIT_V1)) };
  if (existsSync(join(dir, MEMSW_V1))) out[MEMSW_V1] = v1Value(read(dir, MEMSW_V1));
  return out;
}

/**
 * Writes `values` into the cgroup. v1 keeps `limit <= memsw` at every step, so the limit goes first when it fits
 * under the memsw in force, and memsw goes first otherwise.
 */
function writeValues(version: 1 | 2, dir: string, values: Record<string, string>): void {
  if (version === 2) {
    for (const [file, value] of Object.entries(values)) if (existsSync(join(dir, file))) writeCgroup(dir, file, value);
    return;
  }
  const limit = values[LIMIT_V1];
  const memsw = existsSync(join(dir, MEMSW_V1)) ? values[MEMSW_V1] : undefined;
  if (limit === undefined) return;
  if (memsw === undefined) return writeCgroup(dir, LIMIT_V1, limit);
  const memswNow = v1Number(v1Value(read(dir, MEMSW_V1)));
  if (v1Number(limit) <= memswNow) {
    writeCgroup(dir, LIMIT_V1, limit);
    writeCgroup(dir, MEMSW_V1, memsw);
  } else {
    writeCgroup(dir, MEMSW_V1, memsw);
    writeCgroup(dir, LIMIT_V1, limit);
  }
}

/** The values of the cap. */
function capValues(version: 1 | 2, p: Params): Record<string, string> {
  return version === 2
    ? { 'memory.max': String(p.max), 'memory.swap.max': String(p.swap) }
    : { [LIMIT_V1]: String(p.max), [MEMSW_V1]: String(p.max + p.swap) };
}

/** Whether this machine has a memory controller turbulence can write. */
function capability(): CapabilityResult {
  if (!isRoot()) return { ok: false, reason: 'needs root (it writes the container cgroup)' };
  if (cgroupVersion() === 2) {
    const ctl = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/);
    return ctl.includes('memory')
      ? { ok: true, detail: 'cgroup v2 memory.max' }
      : { ok: false, reason: 'cgroup v2 without the memory controller' };
  }
  return existsSync('/sys/fs/cgroup/memory/cgroup.procs')
    ? { ok: true, detail: 'cgroup v1 memory.limit_in_bytes' }
    : { ok: false, reason: 'neither cgroup v2 nor a cgroup v1 memory hierarchy at /sys/fs/cgroup/memory' };
}

/** `container.limit-memory`. */
export const limitMemoryDriver: FaultDriver<Params> = {
  kind: KIND,
  summary:
    'cap the memory of a container in its cgroup (over the cap: reclaim, then the OOM killer); revert restores the values in force before',
  params: limitMemoryParams,
  reversible: true,
  targets: ['container'],
  async check() {
    const daemon = await dockerReachable();
    return daemon.ok ? capability() : daemon;
  },
  resolveTargets: (query) => resolveFor(KIND, query, []),
  exclusive: (target) => `${KIND}:${containerAttrs(target).id}`,
  async inject(target, p, ctx): Promise<JsonObject> {
    const avail = capability();
    if (!avail.ok) throw unsupportedHere(avail.reason);
    const key = faultIdOf(ctx, KIND, target, p);
    const { version, dir } = await memoryCgroup(target);
    let saved = readSaved<Saved>(key);
    if (!saved) {
      saved = { version, dir, values: currentValues(version, dir) };
      await ensurePrivateDir(savedDir());
      await writeFileAtomic(savedFile(key), JSON.stringify(saved));
    }
    try {
      writeValues(version, dir, capValues(version, p));
    } catch (err) {
      // Nothing may stay half-applied: put back what was there, then report.
      try {
        writeValues(saved.version, saved.dir, saved.values);
        await removeFileDurably(savedFile(key));
      } catch {
        // the revert (or `recover`) retries from the saved file
      }
      throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `${KIND} on ${target.name}: ${errorMessage(err)}`, {
        hint: 'a cap below what the container uses now may be refused (EBUSY) when the kernel cannot reclaim enough: choose a larger max',
        cause: err,
      });
    }
    return { ...saved, values: { ...saved.values } };
  },
  verify(fault) {
    const s = fault.state as Saved | undefined;
    if (!s) return Promise.resolve(false);
    const file = s.version === 2 ? 'memory.max' : LIMIT_V1;
    try {
      return Promise.resolve(BigInt(read(s.dir, file)) <= BigInt(fault.params.max));
    } catch {
      return Promise.resolve(false);
    }
  },
  async revert(fault) {
    const key = limitKeyOf(KIND, fault);
    const saved = (fault.state as Saved | undefined) ?? readSaved<Saved>(key);
    if (!saved?.values) return; // inject never got as far as saving: nothing was written
    const info = await inspectContainer(containerAttrs(fault.target).id);
    let note: string | undefined;
    if (!info) note = `nothing to undo: container ${fault.target.name} is gone (removed meanwhile)`;
    else if (!info.State.Running || !existsSync(join(saved.dir, saved.version === 2 ? 'memory.max' : LIMIT_V1)))
      note = `nothing to undo: container ${fault.target.name} stopped meanwhile; its next start applies the Engine's limits`;
    else {
      try {
        writeValues(saved.version, saved.dir, saved.values);
      } catch (err) {
        throw new TurbulenceError(
          ErrorCodes.FAULT_REVERT_FAILED,
          `${KIND}: cannot restore the memory limits of ${fault.target.name}: ${errorMessage(err)}`,
          { hint: `write them by hand: ${JSON.stringify(saved.values)} in ${saved.dir}`, cause: err },
        );
      }
    }
    await removeFileDurably(savedFile(key)).catch(() => undefined);
    return note;
  },
};
