/**
 * A real process standing in for a pod's container, for the agent tests: its own network namespace
 * (`ip netns add tb-agent-<random>`, with a veth `eth0` and a default route so tc has a device), a cgroup directory
 * whose path holds a made-up 64-hex container ID (cgroup v1 `pids` or v2, whichever this machine has), and a
 * `sleep` started inside the namespace and moved into that cgroup. The fake API server gets a pod on `node`
 * whose `status.containerStatuses[0].containerID` is `containerd://<that id>`: exactly what the agent looks up.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeFake } from '../kube-fake/index.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);

/** The cgroup hierarchy used: v1 `pids` when mounted, else the v2 unified one. */
function cgroupRoot(): string {
  for (const dir of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'])
    if (existsSync(join(dir, 'cgroup.procs'))) return dir;
  throw new Error('no writable cgroup hierarchy under /sys/fs/cgroup');
}

/** A pod whose container is a real process. */
export interface PodProcess {
  name: string;
  netns: string;
  containerId: string;
  pid: number;
  /** nft tables named `turbulence*` in the pod's namespace (seen from outside with `ip netns exec`). */
  tables(): Promise<string[]>;
  /** iptables chains `TBL*` in the pod's namespace (the NFQUEUE latency backend's). */
  chains(): Promise<string[]>;
  /** The root qdisc of eth0 in the pod's namespace (`tc -n NS qdisc show dev eth0`). */
  qdiscs(): Promise<string>;
  cleanup(): Promise<void>;
}

/** Creates the namespace, cgroup and process, and the pod in the fake on `node`. */
export async function startPodProcess(fake: KubeFake, node: string): Promise<PodProcess> {
  const rand = randomBytes(4).toString('hex');
  const containerId = randomBytes(32).toString('hex');
  const netns = `tb-agent-${rand}`;
  const name = `agent-pod-${rand}`;
  const cgroup = join(cgroupRoot(), `tb-agent-${containerId}`);
  await run('ip', ['netns', 'add', netns]);
  try {
    // A veth pair with both ends inside (the dummy driver is not built into every kernel).
    await run('ip', ['-n', netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    await run('ip', ['-n', netns, 'addr', 'add', '10.250.0.2/24', 'dev', 'eth0']);
    for (const dev of ['eth0', 'eth1', 'lo']) await run('ip', ['-n', netns, 'link', 'set', dev, 'up']);
    await run('ip', ['-n', netns, 'route', 'add', 'default', 'dev', 'eth0']);
    mkdirSync(cgroup);
  } catch (err) {
    await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    throw err;
  }
  const child = spawn('ip', ['netns', 'exec', netns, 'sleep', '600'], { stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  writeFileSync(join(cgroup, 'cgroup.procs'), String(pid));
  fake.cluster.put('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'agent-test', 'turbulence.io/enabled': 'true' },
    },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'example/app:1' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'app',
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
  return {
    name,
    netns,
    containerId,
    pid,
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
    async cleanup() {
      fake.cluster.delete('pods', 'default', name);
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      await exited;
      await eventually(() => {
        try {
          rmdirSync(cgroup);
          return true;
        } catch {
          return false;
        }
      }, 5000);
      await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    },
  };
}
