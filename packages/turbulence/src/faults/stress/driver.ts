/**
 * The shape shared by stress faults: a detached load process (Node worker or `stress-ng`) started in the target
 * (this machine, or inside a lab host's namespace), tagged through its environment so revert finds it even after
 * a crash, and killed with its whole process group on revert.
 *
 *   inject ─▶ spawn [ip netns exec NS] <argv>  (env TURBULENCE_STRESS_TAG=tb-stress-<key>) ─▶ wait "ready"
 *   revert ─▶ find processes with that tag in /proc/<pid>/environ ─▶ SIGTERM group, SIGKILL after 3 s ─▶ cleanup
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { alive, sleep, signal, waitExit } from '../../lab/sys.js';
import { findBinary } from '../network/capabilities.js';
import { faultIdOf } from '../naming.js';
import { netAttrs, resolveNetworkTargets } from '../network/targets.js';

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
  /** argv after the engine: worker arguments for `node`, stressors for `stress-ng`. */
  args(p: P, engine: Engine, tag: string): string[];
  /** Removes what the load left behind (a fill file). */
  cleanup?(p: P, tag: string): void;
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
  const ok = await new Promise<boolean>((resolve) => {
    child.stdout?.once('data', () => resolve(true));
    child.once('exit', () => resolve(false));
    setTimeout(() => resolve(!waitReady), waitReady ? 60_000 : 300);
  });
  child.stdout?.destroy();
  child.removeAllListeners('exit');
  child.unref();
  if (!ok || !alive(pid)) {
    throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `stress load \`${argv.join(' ')}\` did not start`);
  }
  return pid;
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
  const tagFor = (fault: { id: string; state?: unknown }): string => {
    const t = (fault.state as { tag?: unknown } | undefined)?.tag;
    return typeof t === 'string' ? t : tagOf(fault.id);
  };
  return {
    kind: v.kind,
    summary: v.summary,
    params: v.params,
    resolveTargets: (query) => resolveNetworkTargets(query ?? { host: true }),
    check: () => {
      const ok = v.engines.includes('node') || findBinary('stress-ng') !== undefined;
      return Promise.resolve(ok ? { ok: true } : { ok: false, reason: 'needs stress-ng (Debian: stress-ng)' });
    },
    async inject(target, p, ctx) {
      const engine = chooseEngine(v, p);
      const tag = tagOf(faultIdOf(ctx, v.kind, target, p));
      if (taggedPids(tag).length > 0) return { engine, tag };
      const argv =
        engine === 'node'
          ? [...nodeWorker(), '--tag', tag, ...v.args(p, engine, tag)]
          : ['stress-ng', ...v.args(p, engine, tag)];
      const pid = await start(target, argv, tag, engine === 'node');
      const state: JsonObject = { engine, tag, pid };
      return state;
    },
    async revert(fault) {
      const tag = tagFor(fault);
      const pids = taggedPids(tag);
      for (const pid of pids) signal(-pid, 'SIGTERM');
      const left = await waitExit(pids, 3000);
      for (const pid of left) signal(-pid, 'SIGKILL');
      await waitExit(left, 2000);
      await sleep(0);
      v.cleanup?.(fault.params, tag);
    },
    verify(fault) {
      return Promise.resolve(taggedPids(tagFor(fault)).some(alive));
    },
  };
}
