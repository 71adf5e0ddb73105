/**
 * `turbulence agent`: time from a pod network fault's request to the nft rule in the pod's namespace, against the
 * baseline of the same network fault injected directly on the same namespace, in the same run.
 *
 *   1. baseline: FaultManager.inject(network.partition, { netns }) on this machine → table present;
 *   2. through the agent: FaultManager.inject(pod.partition, pod) → FaultRequest on the Kubernetes API fake →
 *      the agent (watch; resync 2000 ms as in the DaemonSet) finds the pod's process by container ID in /proc,
 *      attaches its netns, applies → status Applied → inject returns; and separately, request → table visible
 *      (polled every 2 ms with `nft list tables` from outside).
 *
 * The pod is a real `sleep` in its own netns and cgroup (test/kubernetes/pod-process.ts). Needs root, nft.
 *
 *   flock /tmp/tb-bench.lock npx tsx bench/agent.ts [--runs=N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../packages/turbulence/src/agent/index.js';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import { faultRequestCrd } from '../packages/turbulence/src/faults/kubernetes/fault-request.js';
import { FaultManager } from '../packages/turbulence/src/faults/manager.js';
import { startKubeFake } from '../packages/turbulence/test/kube-fake/index.js';
import { startPodProcess } from '../packages/turbulence/test/kubernetes/pod-process.js';

const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg ? Number(runsArg.slice('--runs='.length)) : 10;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'turbulence-bench-agent-'));
const fake = await startKubeFake({ seed: 'default', controller: false });
const kubeconfig = join(dir, 'kubeconfig');
await fake.writeKubeconfig(kubeconfig);
fake.cluster.put('customresourcedefinitions', faultRequestCrd() as never);
process.env.KUBECONFIG = kubeconfig;
process.env.TURBULENCE_GUARDIAN = 'off';
const agent = new Agent({ node: 'node-1', cluster: { kubeconfig }, home: join(dir, 'agent'), intervalMs: 2000 });
await agent.start();
const manager = new FaultManager({ rng: new Rng(1), home: join(dir, 'runner'), guardian: false });
const pod = await startPodProcess(fake, 'node-1');
try {
  const direct: number[] = [];
  const toRule: number[] = [];
  const toApplied: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    // baseline: the network family on the pod's namespace, directly
    let t0 = performance.now();
    const [d] = await manager.inject(
      { kind: 'network.partition', target: { netns: [pod.netns] } },
      { activity: 'bench direct' },
    );
    const tDirect = performance.now() - t0;
    await manager.revert(d!.id);
    // through the agent: watch the namespace from outside while inject waits for Applied
    t0 = performance.now();
    let seen = 0;
    const watcher = (async () => {
      while (!seen) {
        const out = execFileSync('ip', ['netns', 'exec', pod.netns, 'nft', 'list', 'tables']).toString();
        if (out.includes('turbulence_')) seen = performance.now() - t0;
        else await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const [f] = await manager.inject(
      { kind: 'pod.partition', target: { namespace: 'default', name: pod.name } },
      { activity: 'bench agent' },
    );
    const tApplied = performance.now() - t0;
    await watcher;
    await manager.revert(f!.id);
    if (i === 0) continue; // warm-up
    direct.push(tDirect);
    toRule.push(seen);
    toApplied.push(tApplied);
  }
  const base = pct(direct, 0.5);
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${ms(pct(xs, 0.5))} | ${ms(pct(xs, 0.95))} | ${(pct(xs, 0.5) / base).toFixed(2)}× |`;
  console.log(`runs: ${RUNS} (+1 warm-up); load: ${execFileSync('uptime').toString().trim()}`);
  console.log('| path | median | p95 | vs baseline |');
  console.log('| --- | --- | --- | --- |');
  console.log(row('network.partition on the netns, direct (baseline)', direct));
  console.log(
    row('pod.partition: inject start → nft table in the pod netns (runner lease + request + agent apply)', toRule),
  );
  console.log(row('pod.partition: inject → Applied status seen by the runner', toApplied));
} finally {
  await manager.revertAll();
  manager.dispose();
  await agent.stop();
  await pod.cleanup();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
