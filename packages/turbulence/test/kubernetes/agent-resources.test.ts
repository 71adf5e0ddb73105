/**
 * The pod resource kinds through runner + `turbulence agent`, against the Kubernetes API fake and REAL kernel
 * objects: each "pod" is a real process with its own cgroups, network and mount namespaces (`pod-process.ts`), and
 * every effect is read from outside, from the kernel: the pod cgroup's CPU time and members (`pod.stress`), its
 * limit files (`pod.limit-*`), the usage of the pod's own tmpfs seen through `/proc/<pid>/root` (`pod.disk-fill`),
 * whether its process still lives (`pod.container-kill`). Runs as root, under `flock /tmp/tb-system.lock`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { getDriver } from '../../src/faults/registry.js';
import { driverContract, type ContractTarget } from '../support/driver-contract.js';
import { requireSystem } from '../support/system.js';
import { AGENT_NODE, startAgentCluster, type AgentCluster } from './agent-cluster.js';
import { cgroupV2, startPodProcess, type PodProcess } from './pod-process.js';

const NEEDS = ['root', 'ip', 'stress-ng'] as const;
const sys = requireSystem(...NEEDS);
let c: AgentCluster;

beforeAll(async () => {
  if (sys.skip) return;
  c = await startAgentCluster({ TURBULENCE_GUARDIAN: 'off', TURBULENCE_AGENT_TIMEOUT_MS: '15000' });
}, 30_000);

afterAll(async () => {
  if (sys.skip) return;
  await c.close();
});

/** Processes carrying a stress tag (`TURBULENCE_STRESS_TAG=`), anywhere: a load nobody stopped. */
function stressLeft(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes('TURBULENCE_STRESS_TAG=tb-stress-pod'))
        out.push(`stress load pid ${pid}`);
    } catch {
      // gone, or a kernel thread
    }
  }
  return out;
}

/** The files of a cgroup limit, as the kernel has them for a fresh pod (what revert must restore). */
const LIMIT = {
  cpu: cgroupV2 ? 'cpu.max' : 'cpu.cfs_quota_us',
  memory: cgroupV2 ? 'memory.max' : 'memory.limit_in_bytes',
  pids: 'pids.max',
} as const;

/** A contract target: a pod process on the agent's node, checked through `inEffect`, with what counts as left. */
const podCase =
  (inEffect: (p: PodProcess) => Promise<boolean> | boolean, params: Record<string, unknown>, files: string[] = []) =>
  async (): Promise<ContractTarget> => {
    const p = await startPodProcess(c.fake, AGENT_NODE);
    const before = Object.fromEntries(files.map((f) => [f, p.cgroupFile(f)]));
    return {
      query: { namespace: 'default', name: p.name },
      params: params as never,
      inEffect: async () => inEffect(p),
      leftovers: () =>
        Promise.resolve([
          ...files.filter((f) => p.cgroupFile(f) !== before[f]).map((f) => `${f} = ${p.cgroupFile(f)}`),
          ...(p.alive() ? p.strangers().map((s) => `pid ${s} in the pod's cgroup`) : []),
          ...(p.alive() ? p.mnt().names.map((n) => `/mnt/${n} in the pod`) : []),
          ...readdirSync('/mnt')
            .filter((n) => n.startsWith('.tb-'))
            .map((n) => `/mnt/${n} on the host`),
          ...stressLeft(),
          ...c.requests().map((r) => `FaultRequest ${r.metadata.name}`),
        ]),
      cleanup: () => p.cleanup(),
    };
  };

/** CPU time the pod's cgroup uses over 400 ms, µs. */
async function cpuOver400ms(p: PodProcess): Promise<number> {
  const a = p.cpuUsageUs();
  await new Promise((r) => setTimeout(r, 400));
  return p.cpuUsageUs() - a;
}

const sameRevert = (kind: string) =>
  `the same path as ${kind} (runner → FaultRequest → agent → limit family in place, revert from the saved values), whose crash case covers it`;

driverContract({
  kind: 'pod.stress',
  needs: [...NEEDS],
  settleMs: 8000,
  // A load process in the pod's own cgroup, burning CPU there (a sleeping pod uses none): ≥ 20 ms in 400 ms.
  setup: podCase(async (p) => p.strangers().length > 0 && (await cpuOver400ms(p)) > 20_000, {
    stressor: 'cpu',
    workers: 1,
    load: 100,
  }),
});

driverContract({
  kind: 'pod.limit-memory',
  needs: [...NEEDS],
  settleMs: 5000,
  setup: podCase((p) => Number(p.cgroupFile(LIMIT.memory)) === 64 * 1024 * 1024, { max: '64MiB' }, [LIMIT.memory]),
});

driverContract({
  kind: 'pod.limit-cpu',
  needs: [...NEEDS],
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameRevert('pod.limit-memory') },
  setup: podCase((p) => p.cgroupFile(LIMIT.cpu).split(' ')[0] === '20000', { percent: 20 }, [LIMIT.cpu]),
});

driverContract({
  kind: 'pod.limit-pids',
  needs: [...NEEDS],
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameRevert('pod.limit-memory') },
  setup: podCase((p) => p.cgroupFile(LIMIT.pids) === '20', { max: 20 }, [LIMIT.pids]),
});

driverContract({
  kind: 'pod.disk-fill',
  needs: [...NEEDS],
  settleMs: 8000,
  // 25 % of the pod's own 64 MiB tmpfs, which the host's /mnt does not show: the fill is in the pod's mount namespace.
  setup: podCase((p) => p.alive() && p.mnt().used >= 15 * 1024 * 1024, { path: '/mnt', percent: 25 }),
});

const irreversible = {
  revert: 'irreversible: a killed process stays killed; the kubelet starts the container again',
  manager: 'irreversible: nothing stays in effect for the ledger to hold',
  'crash-recover': 'irreversible: nothing stays in effect for `recover` to remove',
};
driverContract({
  kind: 'pod.container-kill',
  variant: 'through the agent',
  needs: [...NEEDS],
  settleMs: 5000,
  skipBehaviours: irreversible,
  setup: podCase((p) => !p.alive(), { via: 'agent', signal: 'SIGKILL' }),
});

describe.skipIf(sys.skip)('pod resource kinds through the agent', () => {
  it('pod.limit-memory put back from the snapshot in its target when the runner died before recording its state', async () => {
    // The ledger holds the target (with the limits it found) before the fault acts: revert needs nothing else.
    const p = await startPodProcess(c.fake, AGENT_NODE);
    try {
      const before = p.cgroupFile(LIMIT.memory);
      const driver = await getDriver('limit.memory');
      const ctx = { rng: new Rng(1), signal: new AbortController().signal, faultId: 'limit-memory-nostate' };
      const [target] = await driver.resolveTargets({ cgroup: p.cgroup }, ctx);
      await driver.inject(target!, { max: 32 * 1024 * 1024 }, ctx);
      expect(Number(p.cgroupFile(LIMIT.memory))).toBe(32 * 1024 * 1024);
      await driver.revert(
        { id: ctx.faultId, kind: 'limit.memory', target: target!, params: { max: 32 * 1024 * 1024 } },
        ctx,
      );
      expect(p.cgroupFile(LIMIT.memory)).toBe(before);
    } finally {
      await p.cleanup();
    }
  });

  it('refuses bad params with the field named, before anything reaches the cluster', async () => {
    const stress = (await getDriver('pod.stress')).params;
    expect(() => void stress.parse({ stressor: 'memory' })).toThrow(/size/);
    expect(() => void stress.parse({ stressor: 'cpu', size: '1MiB' })).toThrow(/size applies to stressor memory/);
    const fill = (await getDriver('pod.disk-fill')).params;
    expect(() => void fill.parse({ path: '/data' })).toThrow(/exactly one of size .* or percent/);
    expect(c.requests()).toEqual([]);
  });
});
