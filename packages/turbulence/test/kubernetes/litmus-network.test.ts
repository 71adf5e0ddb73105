/**
 * A LitmusChaos ChaosEngine with pod-network-loss then pod-network-latency (definitions from the hub, unchanged),
 * run by `turbulence run` against the Kubernetes API fake with a real `turbulence agent` on the pod's node: the
 * runner asks the agent (FaultRequest), and the effect is read from outside in the pod's real network namespace
 * (`nft list tables`, `tc qdisc show`), then gone, with verdict Pass. Runs as root, under `flock /tmp/tb-system.lock`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { requireSystem } from '../support/system.js';
import { AGENT_NODE, startAgentCluster, type AgentCluster } from './agent-cluster.js';
import { startPodProcess, type PodProcess } from './pod-process.js';

const sys = requireSystem('root', 'ip', 'nft', 'tc');
const hub = join(import.meta.dirname, '../fixtures/litmus/chaos-charts');

const engine = (pod: string) => `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata:
  name: net-chaos
spec:
  engineState: 'active'
  appinfo:
    appns: 'default'
    applabel: 'app=agent-test'
    appkind: 'deployment'
  experiments:
    - name: pod-network-loss
      spec:
        components:
          env:
            - name: TOTAL_CHAOS_DURATION
              value: '3'
            - name: TARGET_PODS
              value: '${pod}'
    - name: pod-network-latency
      spec:
        components:
          env:
            - name: TOTAL_CHAOS_DURATION
              value: '3'
            - name: NETWORK_LATENCY
              value: '150'
            - name: TARGET_PODS
              value: '${pod}'
`;

describe.skipIf(sys.skip)('Litmus pod network faults through the agent', () => {
  let c: AgentCluster;
  let pod: PodProcess;

  beforeAll(async () => {
    c = await startAgentCluster({ TURBULENCE_GUARDIAN: 'off', TURBULENCE_AGENT_TIMEOUT_MS: '15000' });
    pod = await startPodProcess(c.fake, AGENT_NODE);
  }, 30_000);
  afterAll(async () => {
    await pod?.cleanup();
    await c?.close();
  });

  it(
    'loss (nft table in the pod) then latency (netem) for 3 s each, both reverted, verdicts Pass',
    async () => {
      const file = join(c.dir, 'engine.yaml');
      writeFileSync(file, engine(pod.name));
      const run = spawnCli(['run', file, '--hub', hub, '--journal-path', join(c.dir, 'journal.json')], {
        env: { ...process.env, TURBULENCE_HOME: join(c.dir, 'home') },
        timeoutMs: 60_000,
      });
      // The agent applied the loss in the pod's namespace: seen from outside, while the run holds it.
      expect(await eventually(async () => (await pod.tables()).length > 0, 30_000, 100), run.out()).toBe(true);
      expect(c.requests().map((r) => [r.spec.kind, r.spec.params])).toContainEqual([
        'network.loss',
        { percent: 100, direction: 'egress' },
      ]);
      const netem = async () => /netem/.test(await pod.qdiscs()) || (await pod.chains()).length > 0;
      expect(await eventually(netem, 30_000, 100), run.out()).toBe(true);
      expect(await run.exit, run.out()).toBe(0);
      expect(run.out()).toMatch(/found a LitmusChaos ChaosEngine/);
      expect(run.out()).toMatch(/resilience score: 100%/);
      expect(await pod.tables()).toEqual([]);
      expect(await netem()).toBe(false);
      expect(c.requests()).toEqual([]);
      const journal = JSON.parse(readFileSync(join(c.dir, 'journal.json'), 'utf8')) as {
        faults: { kind: string; reverted_by: string | null }[];
        litmus: { results: { fault: string; verdict: string }[] };
      };
      expect(journal.faults.map((f) => f.kind)).toEqual(['pod.loss', 'pod.latency']);
      expect(journal.faults.every((f) => f.reverted_by !== null)).toBe(true);
      expect(journal.litmus.results.map((r) => [r.fault, r.verdict])).toEqual([
        ['pod-network-loss', 'Pass'],
        ['pod-network-latency', 'Pass'],
      ]);
    },
    cliTimeout(1, 30_000),
  );
});
