/**
 * @module `container.stress`: stress-ng started on this machine and placed in the container's cgroups before it
 * forks a single worker, so the load counts against the container's CPU, memory and I/O limits (what Pumba's
 * `--inject-cgroup` does with a helper container; turbulence needs none). Tagged through its environment like the
 * stress family's loads, so revert (and `recover`) finds it by the tag alone.
 *
 *   inject ─▶ sh -c '<fixed script>' sh <cgroup.procs files...> -- stress-ng <stressors>   (TURBULENCE_STRESS_TAG=…)
 *             the script writes its own pid into each file, then execs stress-ng: no input reaches the script text
 *   revert ─▶ tagged pids ─▶ SIGTERM the group, SIGKILL after 3 s
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { inspectContainer } from '../../os/docker.js';
import { alive, sleep, terminate } from '../../os/signals.js';
import { findBinary, needsTool } from '../../os/tools.js';
import { containerAttrs } from '../../targets/container.js';
import { faultIdOf } from '../naming.js';
import { taggedPids } from '../stress/driver.js';
import { dockerReachable, resolveFor } from './engine.js';
import { stressParams } from './schema.js';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** Moves itself into every cgroup.procs file given before `--`, then becomes the command after it. */
const SCRIPT = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"';

/**
 * The `cgroup.procs` files of a process's cgroups (v1 controllers and the v2 unified tree), from /proc/PID/cgroup.
 *
 * @example
 * cgroupProcsFiles(4242); // ['/sys/fs/cgroup/cpu/docker/3f2a…/cgroup.procs', ...]
 */
export function cgroupProcsFiles(pid: number, root = CGROUP_ROOT): string[] {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const files = lines.flatMap((line) => {
    const [, controllers = '', path = ''] = line.split(':');
    const mount =
      controllers === '' ? (existsSync(join(root, 'unified')) ? 'unified' : '') : controllers.replace(/^name=/, '');
    const file = join(root, mount, path, 'cgroup.procs');
    return existsSync(file) ? [file] : [];
  });
  return [...new Set(files)];
}

const tagOf = (key: string): string => `tb-cstress-${key}`;

/** `container.stress`. */
export const stressDriver: FaultDriver<z.output<typeof stressParams>> = {
  kind: 'container.stress',
  summary: "run stress-ng inside a container's cgroups (cpu, memory, io: its limits apply); revert stops it",
  params: stressParams,
  reversible: true,
  targets: ['container'],
  check: async () => (findBinary('stress-ng') ? dockerReachable() : { ok: false, reason: needsTool('stress-ng') }),
  resolveTargets: (query) => resolveFor('container.stress', query, []),
  async inject(target, p, ctx): Promise<JsonObject> {
    const tag = tagOf(faultIdOf(ctx, 'container.stress', target, p));
    if (taggedPids(tag).length > 0) return { tag };
    if (!findBinary('stress-ng')) throw new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, needsTool('stress-ng'));
    const info = await inspectContainer(containerAttrs(target).id);
    if (!info?.State.Running || !(info.State.Pid > 1)) {
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `container.stress: container ${target.name} is not running`,
        {
          hint: 'start it first',
        },
      );
    }
    const files = cgroupProcsFiles(info.State.Pid);
    const child = spawn('sh', ['-c', SCRIPT, 'sh', ...files, '--', 'stress-ng', ...p.stressors], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TURBULENCE_STRESS_TAG: tag },
    });
    const pid = child.pid ?? 0;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const early = await Promise.race([exited, sleep(300).then(() => 'running' as const)]);
    child.unref();
    if (early !== 'running' || !alive(pid)) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_INJECT_FAILED,
        `stress-ng ${p.stressors.join(' ')} did not start (exit ${String(early)})`,
        {
          hint:
            early === 97
              ? 'could not join the container cgroups (root needed)'
              : 'check the stressors with `stress-ng ARGS` by hand',
        },
      );
    }
    return { tag, pid };
  },
  verify: (fault) => Promise.resolve(taggedPids(stateTag(fault)).some(alive)),
  async revert(fault) {
    await terminate(taggedPids(stateTag(fault)), 3000, { group: true });
  },
};

function stateTag(fault: {
  id: string;
  target: Parameters<typeof containerAttrs>[0];
  params: z.output<typeof stressParams>;
  state?: unknown;
}): string {
  const t = (fault.state as { tag?: unknown } | undefined)?.tag;
  if (typeof t === 'string') return t;
  return tagOf(
    /^container-/.test(fault.id) ? fault.id : faultIdOf(undefined, 'container.stress', fault.target, fault.params),
  );
}
