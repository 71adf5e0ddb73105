/**
 * The public sock-shop demo engine (`test/fixtures/litmus/real-world/litmus-demo-sock-shop-catalogue-cpu-hog.yaml`,
 * unchanged: pod-cpu-hog on `name=catalogue` in namespace `sock-shop`, container `catalogue`, 1 core, 240 s; the
 * definition from the chaos-charts hub) run by `turbulence run` against the Kubernetes API fake with a real
 * `turbulence agent` on the pod's node. The catalogue pod is a real process in its own cgroup (`pod-process.ts`).
 * The agent starts the CPU load in that cgroup: its pids and CPU time, read from the kernel, show it. The file asks
 * for 240 s of chaos, too long for CI, so the run is interrupted (SIGINT, as Ctrl-C) once the effect is measured:
 * the load is gone, the FaultRequest deleted, verdict Stopped and a resilience score in the journal.
 * Runs as root, under `flock /tmp/tb-system.lock`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { requireSystem } from '../support/system.js';
import { AGENT_NODE, startAgentCluster, type AgentCluster } from './agent-cluster.js';
import { startPodProcess, type PodProcess } from './pod-process.js';

const sys = requireSystem('root', 'ip', 'stress-ng');
const fixtures = join(import.meta.dirname, '../fixtures/litmus');
const hub = join(fixtures, 'chaos-charts');

describe.skipIf(sys.skip)('the sock-shop pod-cpu-hog sample through the agent', () => {
  let c: AgentCluster;
  let pod: PodProcess;

  beforeAll(async () => {
    c = await startAgentCluster({ TURBULENCE_GUARDIAN: 'off', TURBULENCE_AGENT_TIMEOUT_MS: '15000' });
    c.fake.cluster.put('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sock-shop' } });
    pod = await startPodProcess(c.fake, AGENT_NODE, {
      namespace: 'sock-shop',
      labels: { name: 'catalogue' },
      container: 'catalogue',
    });
  }, 30_000);
  afterAll(async () => {
    await pod?.cleanup();
    await c?.close();
  });

  it(
    'the agent burns CPU in the catalogue pod cgroup; Ctrl-C reverts it, verdict Stopped',
    async () => {
      const file = join(fixtures, 'real-world/litmus-demo-sock-shop-catalogue-cpu-hog.yaml');
      const run = spawnCli(['run', file, '--hub', hub, '--journal-path', join(c.dir, 'journal.json')], {
        env: { ...process.env, TURBULENCE_HOME: join(c.dir, 'home') },
        timeoutMs: 60_000,
      });
      // The load runs in the pod's cgroup, and uses CPU there: measured from the kernel, not from turbulence.
      expect(await eventually(() => pod.strangers().length > 0, 30_000, 100), run.out()).toBe(true);
      expect(c.requests().map((r) => [r.spec.kind, r.spec.params])).toContainEqual([
        'stress.cpu',
        expect.objectContaining({ workers: 1, load: 100 }),
      ]);
      const cpu0 = pod.cpuUsageUs();
      await new Promise((r) => setTimeout(r, 1000));
      expect(pod.cpuUsageUs() - cpu0).toBeGreaterThan(200_000); // > 0.2 s of CPU in 1 s
      run.child.kill('SIGINT');
      const code = await run.exit;
      expect(code, run.out()).not.toBe(0);
      expect(run.out()).toMatch(/found a LitmusChaos ChaosEngine/);
      expect(await eventually(() => pod.strangers().length === 0, 10_000), run.out()).toBe(true);
      expect(await eventually(() => c.requests().length === 0, 10_000), run.out()).toBe(true);
      expect(pod.alive()).toBe(true);
      const journal = JSON.parse(readFileSync(join(c.dir, 'journal.json'), 'utf8')) as {
        faults: { kind: string; target: { id: string }; reverted_by: string | null }[];
        litmus: {
          engine: string;
          resilienceScore: number;
          results: { fault: string; verdict: string; failStep: string }[];
        };
      };
      expect(journal.faults.map((f) => [f.kind, f.target.id])).toEqual([['pod.stress', `pod:sock-shop/${pod.name}`]]);
      expect(journal.faults[0]?.reverted_by).not.toBeNull();
      expect(journal.litmus.engine).toBe('catalogue-cpu-hog');
      expect(journal.litmus.results.map((r) => [r.fault, r.verdict])).toEqual([['pod-cpu-hog', 'Stopped']]);
      expect(journal.litmus.results[0]?.failStep).toMatch(/stopped during the chaos/);
      // Litmus: a fault without probes scores 100 on Pass only, so a stopped run's score is 0.
      expect(journal.litmus.resilienceScore).toBe(0);
    },
    cliTimeout(1, 30_000),
  );
});
