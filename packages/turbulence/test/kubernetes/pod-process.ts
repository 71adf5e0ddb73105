/**
 * A real process standing in for a pod's container, for the agent tests: its own network namespace
 * (`ip netns add tb-agent-<random>`, with a veth `eth0` and a default route so tc has a device), its own mount
 * namespace with a 64 MiB tmpfs at /mnt (the "container's filesystem": invisible from the host), cgroups whose path
 * holds a made-up 64-hex container ID (cgroup v1: the cpu, cpuacct, memory, pids and blkio hierarchies; v2: the
 * unified one), and a `sleep` in all of it. The sleep is not a descendant of the test process (started through a
 * shell that exits), so turbulence's guard treats it like any other process on the node. The fake API server gets
 * a pod on `node` whose `status.containerStatuses[0].containerID` is `containerd://<that id>`: exactly what the agent
 * looks up.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmdirSync, mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeFake } from '../kube-fake/index.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);

const CG = '/sys/fs/cgroup';
/** cgroup v2 (unified) on this machine? */
export const cgroupV2 = existsSync(join(CG, 'cgroup.controllers'));
/** The hierarchies a pod's cgroup is made in: v1 controllers, or the v2 root. */
const HIERARCHIES = cgroupV2
  ? ['']
  : ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'].filter((c) => existsSync(join(CG, c)));
/** The directory of a pod's cgroup for a v1 controller (v2: the unified one). */
const dirIn = (controller: string, rel: string) => (cgroupV2 ? join(CG, rel) : join(CG, controller, rel));

/**
 * The pod's own: a 64 MiB tmpfs at /mnt, mounted in its mount namespace only (a fixed script, no input in it). It
 * also lets go of its copy of /run/netns: the names `ip netns attach` gives other pods' namespaces meanwhile must
 * not be held here, or `ip netns delete` of them fails (EBUSY) while this pod lives.
 */
const POD_SCRIPT = 'mount -t tmpfs -o size=64m tb-pod /mnt && { umount -l /run/netns 2>/dev/null; exec sleep 600; }';
/** Starts `argv` detached from this process (its shell exits), printing the pid. */
const ORPHAN = '"$@" </dev/null >/dev/null 2>&1 & echo $!';

/** A pod whose container is a real process. */
export interface PodProcess {
  name: string;
  netns: string;
  containerId: string;
  pid: number;
  /** The pod's cgroup path (as /proc/<pid>/cgroup shows it). */
  cgroup: string;
  /** nft tables named `turbulence*` in the pod's namespace (seen from outside with `ip netns exec`). */
  tables(): Promise<string[]>;
  /** iptables chains `TBL*` in the pod's namespace (the NFQUEUE latency backend's). */
  chains(): Promise<string[]>;
  /** The root qdisc of eth0 in the pod's namespace (`tc -n NS qdisc show dev eth0`). */
  qdiscs(): Promise<string>;
  /** A file of the pod's cgroup, read by the kernel's name (`cpu.cfs_quota_us`, `memory.max`...); v1 by prefix. */
  cgroupFile(file: string): string;
  /** Pids in the pod's cgroup (cpu hierarchy on v1) other than the pod's own process. */
  strangers(): number[];
  /** CPU time the pod's cgroup used so far, µs. */
  cpuUsageUs(): number;
  /** Bytes used on the pod's /mnt (its own tmpfs), and the names there. */
  mnt(): { used: number; names: string[] };
  alive(): boolean;
  cleanup(): Promise<void>;
}

/** Where the stand-in pod is put, and what it is called (default: `default`, `app=agent-test`, container `app`). */
export interface PodProcessOptions {
  namespace?: string;
  /** Labels besides the opt-in `turbulence.io/enabled=true`. */
  labels?: Record<string, string>;
  container?: string;
}

/** Creates the namespaces, cgroups and process, and the pod in the fake on `node`. */
export async function startPodProcess(
  fake: KubeFake,
  node: string,
  options: PodProcessOptions = {},
): Promise<PodProcess> {
  const namespace = options.namespace ?? 'default';
  const container = options.container ?? 'app';
  const rand = randomBytes(4).toString('hex');
  const containerId = randomBytes(32).toString('hex');
  const netns = `tb-agent-${rand}`;
  const name = `agent-pod-${rand}`;
  const rel = `/tb-agent-${containerId}`;
  await run('ip', ['netns', 'add', netns]);
  try {
    // A veth pair with both ends inside (the dummy driver is not built into every kernel).
    await run('ip', ['-n', netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    await run('ip', ['-n', netns, 'addr', 'add', '10.250.0.2/24', 'dev', 'eth0']);
    for (const dev of ['eth0', 'eth1', 'lo']) await run('ip', ['-n', netns, 'link', 'set', dev, 'up']);
    await run('ip', ['-n', netns, 'route', 'add', 'default', 'dev', 'eth0']);
    for (const h of HIERARCHIES) mkdirSync(dirIn(h, rel));
  } catch (err) {
    await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    throw err;
  }
  const { stdout } = await run('sh', ['-c', ORPHAN, 'sh', 'ip', 'netns', 'exec', netns, 'sh', '-c', POD_SCRIPT]);
  const pid = Number(stdout.trim());
  for (const h of HIERARCHIES) writeFileSync(join(dirIn(h, rel), 'cgroup.procs'), String(pid));
  const alive = () => {
    try {
      return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  // Running once the tmpfs is there (the script mounts it, then execs sleep).
  await eventually(() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  }, 10_000);
  fake.cluster.put('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { ...(options.labels ?? { app: 'agent-test' }), 'turbulence.io/enabled': 'true' },
    },
    spec: { nodeName: node, containers: [{ name: container, image: 'example/app:1' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: container,
          containerID: `containerd://${containerId}`,
          ready: true,
          started: true,
          restartCount: 0,
          image: 'example/app:1',
          imageID: 'example/app@sha256:0',
          state: { running: { startedAt: new Date().toISOString() } },
        },
      ],
    },
  });
  const controllerOf = (file: string) => (file.startsWith('cpuacct.') ? 'cpuacct' : (file.split('.')[0] ?? ''));
  const cgroupFile = (file: string) => readFileSync(join(dirIn(controllerOf(file), rel), file), 'utf8').trim();
  const procs = () =>
    readFileSync(join(dirIn('cpu', rel), 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  return {
    name,
    netns,
    containerId,
    pid,
    cgroup: rel,
    async tables() {
      const { stdout } = await run('ip', ['netns', 'exec', netns, 'nft', 'list', 'tables']);
      return stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[2] ?? '')
        .filter((t) => t.startsWith('turbulence'));
    },
    async chains() {
      const { stdout } = await run('ip', ['netns', 'exec', netns, 'iptables', '-w', '-S']);
      return stdout.split('\n').filter((l) => /^-N TBL/.test(l));
    },
    async qdiscs() {
      return (await run('tc', ['-n', netns, 'qdisc', 'show', 'dev', 'eth0'])).stdout;
    },
    cgroupFile,
    strangers: () => procs().filter((p) => p !== pid),
    cpuUsageUs() {
      if (cgroupV2) return Number(/usage_usec (\d+)/.exec(cgroupFile('cpu.stat'))?.[1] ?? 0);
      return Number(cgroupFile('cpuacct.usage')) / 1000;
    },
    mnt() {
      const root = `/proc/${pid}/root/mnt`;
      const s = statfsSync(root);
      return { used: (s.blocks - s.bfree) * s.bsize, names: readdirSync(root) };
    },
    alive,
    async cleanup() {
      fake.cluster.delete('pods', namespace, name);
      if (alive()) process.kill(pid, 'SIGKILL');
      await eventually(() => !alive(), 5000);
      for (const h of HIERARCHIES) {
        const dir = dirIn(h, rel);
        await eventually(() => {
          try {
            // Whatever a failed case left in it goes back to the root first.
            for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
              writeFileSync(join(dirIn(h, '/'), 'cgroup.procs'), p);
            rmdirSync(dir);
            return true;
          } catch {
            return !existsSync(dir);
          }
        }, 5000);
      }
      await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    },
  };
}
