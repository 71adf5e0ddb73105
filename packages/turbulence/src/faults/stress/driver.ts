/**
 * The shape shared by stress faults: a detached load process (Node worker or `stress-ng`) started in the target
 * (this machine, or inside a lab host's namespace), tagged through its environment so revert finds it even after
 * a crash, and killed with its whole process group on revert.
 *
 *   inject ─▶ spawn [ip netns exec NS] <argv>  (env TURBULENCE_STRESS_TAG=tb-stress-<key>) ─▶ wait "ready"
 *   revert ─▶ find processes with that tag in /proc/<pid>/environ ─▶ SIGTERM group, SIGKILL after 3 s ─▶ cleanup
 *
 * A process target (`{ pid: N }`) runs the load beside that process, as a sidecar would: started in N's cgroups
 * (joined before the load's program starts, so all of it counts against N's limits, e.g. a pod container's), with
 * file paths taken in N's filesystem (its mount namespace, through `/proc/N/root`). The Kubernetes agent uses it
 * for `pod.stress` and `pod.disk-fill`.
 *
 * Kinds that write files (disk fill, I/O) get a private directory per fault: `mkdtemp` (mode 0700, random name
 * `.<tag>-XXXXXX`) inside the directory the user named, and the worker creates its files there with `O_EXCL`, so a
 * planted symlink at a predictable name can never redirect the writes. Revert removes that directory.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { alive, sleep, terminate } from '../../os/signals.js';
import { findBinary, needsTool } from '../../os/tools.js';
import { directKey, faultIdOf } from '../naming.js';
import { netAttrs, resolveNetworkTargets } from '../../targets/netns.js';
import { resolveProcesses } from '../../targets/process.js';
import { cgroupsOf } from '../../os/proc.js';
import { cgroupDirOf, cgroupVersion } from '../limit/cgroup.js';

/** Which load generator runs a stress fault. */
export type Engine = 'node' | 'stress-ng';

/** Params every stress kind accepts. */
export interface EngineParams {
  engine: 'auto' | Engine;
}

/** What a stress variant file supplies. */
export interface StressVariant<P extends EngineParams> {
  kind: string;
  summary: string;
  params: z.ZodType<P>;
  /** Engines able to run the kind, preferred first. */
  engines: readonly Engine[];
  /**
   * The directory the load writes into, for kinds that write files: the driver creates a private `mkdtemp`
   * directory inside it for each fault, hands it to {@link args} as `dir`, and removes it on revert.
   */
  workdir?(p: P): string;
  /** argv after the engine: worker arguments for `node`, stressors for `stress-ng`. */
  args(p: P, engine: Engine, tag: string, dir: string): string[];
}

const TAG_VAR = 'TURBULENCE_STRESS_TAG';

/** argv of the Node worker, from dist or from sources under tsx. */
function nodeWorker(): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  return [process.execPath, ...(fromSource ? ['--import', 'tsx'] : []), script];
}

/** PIDs (group leaders) carrying a stress tag in their environment. */
export function taggedPids(tag: string): number[] {
  const needle = `${TAG_VAR}=${tag}\0`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle);
      } catch {
        return false;
      }
    });
}

function chooseEngine<P extends EngineParams>(v: StressVariant<P>, p: P): Engine {
  const wanted = p.engine === 'auto' ? v.engines : v.engines.filter((e) => e === p.engine);
  const engine = wanted.find((e) => e === 'node' || findBinary('stress-ng'));
  if (engine) return engine;
  throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `${v.kind} cannot run with engine ${p.engine} here`, {
    hint: v.engines.includes('stress-ng')
      ? 'install stress-ng (Debian: stress-ng) or use engine: node'
      : `use engine: node`,
  });
}

/** The pid of a process target (the load runs beside it), else undefined. */
const besidePid = (target: Target): number | undefined =>
  target.type === 'process' && typeof target.attributes.pid === 'number' ? target.attributes.pid : undefined;

/** A file path as the target sees it: inside a process target's filesystem (`/proc/<pid>/root/...`). */
const inTarget = (target: Target, path: string): string => {
  const pid = besidePid(target);
  return pid === undefined ? path : join(`/proc/${pid}/root`, path);
};

/** Controllers whose v1 hierarchies the load joins beside a process (v2: the one unified cgroup). */
const LOAD_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'blkio', 'pids'];

/** The cgroup directories of `pid` the load joins. */
function cgroupDirsBeside(pid: number): string[] {
  if (cgroupVersion() === 2) return [cgroupDirOf(pid, '')];
  const mine = new Set(cgroupsOf(pid).flatMap((g) => g.controllers));
  return LOAD_CONTROLLERS.filter((c) => mine.has(c)).map((c) => cgroupDirOf(pid, c));
}

/**
 * Joins the cgroups given as arguments, then execs the rest: `sh -c JOIN sh N dir1..dirN cmd args...` (a fixed
 * script; paths and argv are arguments, never spliced into it). The load is in the cgroups before it runs.
 */
const JOIN =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; n=$((n-1)); done; exec "$@"';

async function start(target: Target, argv: string[], tag: string, waitReady: boolean): Promise<number> {
  const ns = netAttrs(target).netns;
  const pid0 = besidePid(target);
  const dirs = pid0 === undefined ? [] : cgroupDirsBeside(pid0);
  const full =
    pid0 !== undefined
      ? ['sh', '-c', JOIN, 'sh', String(dirs.length), ...dirs, ...argv]
      : ns
        ? ['ip', 'netns', 'exec', ns, ...argv]
        : argv;
  const [cmd, ...args] = full as [string, ...string[]];
  const stdio = ['ignore', waitReady ? 'pipe' : 'ignore', 'ignore'] as const;
  const child = spawn(cmd, args, { detached: true, stdio: [...stdio], env: { ...process.env, [TAG_VAR]: tag } });
  const pid = child.pid as number;
  let timer: NodeJS.Timeout | undefined;
  const ok = await new Promise<boolean>((resolve) => {
    child.stdout?.once('data', () => resolve(true));
    child.once('exit', () => resolve(false));
    timer = setTimeout(() => resolve(!waitReady), waitReady ? 60_000 : 300);
  });
  // A pending 60 s readiness timer would keep the CLI alive for a minute after the fault is long reverted.
  clearTimeout(timer);
  child.stdout?.destroy();
  child.removeAllListeners('exit');
  child.unref();
  if (!ok || !alive(pid)) {
    throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `stress load \`${argv.join(' ')}\` did not start`);
  }
  return pid;
}

/** Prefix of the private directories of one fault (`mkdtemp` adds six random characters). */
const dirPrefix = (tag: string): string => `.${tag}-`;

/** Creates the private directory of a fault in `base`: a fresh random name, mode 0700, never an existing path. */
function makePrivateDir(base: string, tag: string): string {
  try {
    return mkdtempSync(join(base, dirPrefix(tag)));
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `cannot create a directory in ${base}: ${String(err)}`, {
      hint: 'path must be an existing directory this user can write to',
      cause: err,
    });
  }
}

/** Removes the private directories of a fault: real directories owned by this user only, never a symlink. */
function removePrivateDirs(base: string, tag: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(dirPrefix(tag)));
  } catch {
    return; // the directory is gone, and what was in it
  }
  for (const name of names) {
    const path = join(base, name);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory() && st.uid === process.getuid?.()) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Builds a {@link FaultDriver} from a stress variant.
 *
 * @example
 * export const cpuStress = stressDriver({ kind: 'stress.cpu', engines: ['stress-ng', 'node'], ... });
 */
export function stressDriver<P extends EngineParams>(v: StressVariant<P>): FaultDriver<P> {
  // One tag per fault (from its ledger id): two stress faults on one host each stop only their own workers.
  const tagOf = (faultId: string): string => `tb-stress-${faultId}`;
  // The recorded tag; without one (inject never returned), the ledger-id tag and the direct-call tag.
  const tagsFor = (fault: { id: string; target: Target; params: P; state?: unknown }): string[] => {
    const t = (fault.state as { tag?: unknown } | undefined)?.tag;
    if (typeof t === 'string') return [t];
    return [...new Set([tagOf(fault.id), tagOf(directKey(v.kind, fault.target, fault.params))])];
  };
  return {
    kind: v.kind,
    summary: v.summary,
    params: v.params,
    targets: ['netns', 'process'],
    // No target (or `fault inject KIND` without -t, which passes {}) means this machine; { pid } beside a process.
    resolveTargets: (query) =>
      query !== undefined && query.pid !== undefined
        ? resolveProcesses(query)
        : resolveNetworkTargets(query === undefined || Object.keys(query).length === 0 ? { host: true } : query),
    check: () => {
      const ok = v.engines.includes('node') || findBinary('stress-ng') !== undefined;
      return Promise.resolve(ok ? { ok: true } : { ok: false, reason: needsTool('stress-ng') });
    },
    async inject(target, p, ctx) {
      const engine = chooseEngine(v, p);
      const tag = tagOf(faultIdOf(ctx, v.kind, target, p));
      if (taggedPids(tag).length > 0) return { engine, tag };
      const dir = v.workdir ? makePrivateDir(inTarget(target, v.workdir(p)), tag) : '';
      const argv =
        engine === 'node'
          ? [...nodeWorker(), '--tag', tag, ...v.args(p, engine, tag, dir)]
          : ['stress-ng', ...v.args(p, engine, tag, dir)];
      try {
        const pid = await start(target, argv, tag, engine === 'node');
        const state: JsonObject = { engine, tag, pid, ...(dir ? { dir } : {}) };
        return state;
      } catch (err) {
        if (dir) rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    },
    async revert(fault) {
      const tags = tagsFor(fault);
      await terminate(tags.flatMap(taggedPids), 3000, { group: true });
      await sleep(0);
      for (const tag of tags) if (v.workdir) removePrivateDirs(inTarget(fault.target, v.workdir(fault.params)), tag);
    },
    verify(fault) {
      return Promise.resolve(tagsFor(fault).flatMap(taggedPids).some(alive));
    },
  };
}
