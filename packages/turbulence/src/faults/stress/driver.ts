/**
 * The shape shared by stress faults: a detached load process (Node worker or `stress-ng`) started in the target
 * (this machine, or inside a lab host's namespace), tagged through its environment so revert finds it even after
 * a crash, and killed with its whole process group on revert.
 *
 *   inject ─▶ spawn [ip netns exec NS] <argv>  (env TURBULENCE_STRESS_TAG=tb-stress-<key>) ─▶ wait "ready"
 *   revert ─▶ find processes with that tag in /proc/<pid>/environ ─▶ SIGTERM group, SIGKILL after 3 s ─▶ cleanup
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
import { alive, sleep, signal, waitExit } from '../../lab/sys.js';
import { findBinary } from '../network/capabilities.js';
import { faultKey, netAttrs, resolveNetworkTargets } from '../network/targets.js';

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

async function start(target: Target, argv: string[], tag: string, waitReady: boolean): Promise<number> {
  const ns = netAttrs(target).netns;
  const [cmd, ...args] = (ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv) as [string, ...string[]];
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
  const tagOf = (target: Target, p: P): string => `tb-stress-${faultKey(v.kind, target, p)}`;
  return {
    kind: v.kind,
    summary: v.summary,
    params: v.params,
    // No target (or `fault inject KIND` without -t, which passes {}) means this machine.
    resolveTargets: (query) =>
      resolveNetworkTargets(query === undefined || Object.keys(query).length === 0 ? { host: true } : query),
    check: () => {
      const ok = v.engines.includes('node') || findBinary('stress-ng') !== undefined;
      return Promise.resolve(ok ? { ok: true } : { ok: false, reason: 'needs stress-ng (Debian: stress-ng)' });
    },
    async inject(target, p) {
      const engine = chooseEngine(v, p);
      const tag = tagOf(target, p);
      if (taggedPids(tag).length > 0) return { engine, tag };
      const dir = v.workdir ? makePrivateDir(v.workdir(p), tag) : '';
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
      const tag = tagOf(fault.target, fault.params);
      const pids = taggedPids(tag);
      for (const pid of pids) signal(-pid, 'SIGTERM');
      const left = await waitExit(pids, 3000);
      for (const pid of left) signal(-pid, 'SIGKILL');
      await waitExit(left, 2000);
      await sleep(0);
      if (v.workdir) removePrivateDirs(v.workdir(fault.params), tag);
    },
    verify(fault) {
      return Promise.resolve(taggedPids(tagOf(fault.target, fault.params)).some(alive));
    },
  };
}
