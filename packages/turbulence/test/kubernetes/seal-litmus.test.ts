/**
 * PowerfulSeal policies and LitmusChaos ChaosEngines run unchanged against the Kubernetes API fake: a kill deletes
 * a web pod that the fake's ReplicaSet controller replaces (read back through real kubectl); a `dayTime` filter
 * outside its window selects nothing and kills nothing; `--seed` replays the same random sample.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { FaultInjector } from '../../src/core/fault.js';
import { powerfulSealProvider, type SealRunOutput } from '../../src/providers/powerfulseal.js';
import type { ProviderContext } from '../../src/providers/types.js';
import { cliTimeout, runCli } from '../support/cli.js';
import { kubectlRequirement, startCluster, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();
const hub = join(import.meta.dirname, '../fixtures/litmus/chaos-charts');

const examples = join(import.meta.dirname, '../../../../examples');

const KUBECTL_POLICY = `config:
  runStrategy:
    runs: 1
scenarios:
  - name: apply a config map
    steps:
      - kubectl:
          action: apply
          autoDelete: false
          payload: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: seal-applied
              namespace: default
            data:
              from: powerfulseal
`;

const DRAIN_ENGINE = `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata:
  name: drain-chaos
spec:
  engineState: 'active'
  experiments:
    - name: node-drain
      spec:
        components:
          env:
            - name: TOTAL_CHAOS_DURATION
              value: '2'
            - name: TARGET_NODE
              value: 'node-1'
`;

interface Journal {
  status: string;
  run: { activity: { name: string }; status: string; output?: unknown }[];
  faults: { kind: string; target: { id: string }; reverted_by: string | null }[];
}

describe.skipIf(sys.skip)('PowerfulSeal and Litmus files against the cluster fake', () => {
  let c: TestCluster;
  let dir: string;
  const uids = async () =>
    (await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}')).split(' ');
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      const phases = await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}');
      if (phases.split(' ').filter((p) => p === 'Running').length === 3) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('web did not get back to 3 running pods');
  };

  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'turbulence-seal-'));
    process.env.KUBECONFIG = c.kubeconfig;
  }, 30_000);
  afterAll(async () => {
    delete process.env.KUBECONFIG;
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'a PowerfulSeal kill policy and a Litmus pod-delete engine each delete one web pod; the controller replaces it',
    async () => {
      const policy = join(examples, 'powerfulseal/kill-one-web-pod.yml');
      const before = await uids();
      const seal = await runCli(
        [
          'run',
          policy,
          '--seed',
          '3',
          '--journal-path',
          join(dir, 'seal.json'),
          '--junit',
          join(dir, 'seal.xml'),
          '--powerfulseal-metrics',
          join(dir, 'seal.prom'),
        ],
        { env: c.env },
      );
      expect(seal.out).toMatch(/found a PowerfulSeal policy: translated into 1 method activities/);
      expect(seal.code, seal.out).toBe(0);
      const journal = JSON.parse(readFileSync(join(dir, 'seal.json'), 'utf8')) as Journal;
      const out = journal.run[0]?.output as SealRunOutput;
      expect(out.steps[0]?.killed).toHaveLength(1);
      // PowerfulSeal's metric names, for the dashboards written for it.
      const [ns, name] = (out.steps[0]?.killed?.[0] ?? '').split('/');
      const prom = readFileSync(join(dir, 'seal.prom'), 'utf8');
      expect(prom).toContain(`seal_pod_kills_total{status="success",namespace="${ns}",name="${name}"} 1`);
      expect(prom).toMatch(/seal_scenario_runs_total\{name="[^"]+",result="success"\} 1/);
      // The scenario run is a JUnit test case of its own.
      expect(readFileSync(join(dir, 'seal.xml'), 'utf8')).toMatch(
        /<testcase name="scenario [^"]+: passed" classname="[^"]*\.powerfulseal"/,
      );
      await ready();
      const afterSeal = await uids();
      expect(afterSeal.filter((u) => !before.includes(u))).toHaveLength(1);

      const engine = join(examples, 'litmus/engine.yaml');
      const litmus = await runCli(
        ['run', engine, '--hub', hub, '--seed', '3', '--journal-path', join(dir, 'litmus.json')],
        { env: c.env },
      );
      expect(litmus.out).toMatch(/found a LitmusChaos ChaosEngine/);
      expect(litmus.code, litmus.out).toBe(0);
      expect(litmus.out).toMatch(/litmus pod-delete: Pass[\s\S]*resilience score: 100%/);
      const lj = JSON.parse(readFileSync(join(dir, 'litmus.json'), 'utf8')) as Journal & { litmus: unknown };
      expect(lj.litmus).toEqual({
        engine: 'web-chaos',
        resilienceScore: 100,
        results: [{ fault: 'pod-delete', verdict: 'Pass', probeSuccessPercentage: 100, failStep: 'N/A', weight: 10 }],
      });
      await ready();
      expect((await uids()).filter((u) => !afterSeal.includes(u))).toHaveLength(1);
    },
    cliTimeout(2, 20_000),
  );

  it(
    'a Litmus node-drain engine (definition from --hub) drains node-1 for its duration, then uncordons it',
    async () => {
      const engine = join(dir, 'drain.yaml');
      writeFileSync(engine, DRAIN_ENGINE);
      // Nodes too must opt in (Litmus has no such check; turbulence always has).
      await c.kubectl('label', 'node', 'node-1', 'turbulence.io/enabled=true', '--overwrite');
      const res = await runCli(['run', engine, '--hub', hub, '--journal-path', join(dir, 'drain.json')], {
        env: c.env,
      });
      expect(res.code, res.out).toBe(0);
      const journal = JSON.parse(readFileSync(join(dir, 'drain.json'), 'utf8')) as Journal;
      expect(journal.faults.map((f) => [f.kind, f.target.id, f.reverted_by])).toEqual([
        ['node.drain', 'node:node-1', 'expired'],
      ]);
      expect(await c.kubectl('get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}')).toBe('');
      await ready();
    },
    cliTimeout(1, 20_000),
  );

  it(
    'a kubectl step runs the real kubectl with the same kubeconfig, and --dry refuses it',
    async () => {
      const policy = join(dir, 'kubectl.yml');
      writeFileSync(policy, KUBECTL_POLICY);
      const dry = await runCli(['run', policy, '--dry', 'actions', '--journal-path', join(dir, 'dry.json')], {
        env: c.env,
      });
      expect(dry.code).not.toBe(0);
      expect(dry.out).toMatch(/scenario "apply a config map" has a kubectl step, which --dry refuses/);
      expect((await c.kubectlResult('get', 'configmap', 'seal-applied')).code).not.toBe(0);
      const real = await runCli(['run', policy, '--journal-path', join(dir, 'kubectl.json')], { env: c.env });
      expect(real.code, real.out).toBe(0);
      expect(await c.kubectl('get', 'configmap', 'seal-applied', '-o', 'jsonpath={.data.from}')).toBe('powerfulseal');
    },
    cliTimeout(2, 20_000),
  );

  it('label mode: seal/enabled pods are killed in their seal/days and hours only, force from seal/force-kill', async () => {
    const injected: { target: unknown; params: unknown }[] = [];
    const faults = {
      inject: (spec: { target: unknown; params: unknown }) => {
        injected.push(spec);
        return Promise.resolve([]);
      },
    } as unknown as FaultInjector;
    const ctx: ProviderContext = {
      configuration: {},
      secrets: {},
      signal: new AbortController().signal,
      baseDir: dir,
      rng: new Rng(1),
      strict: false,
      faults,
    };
    const [a, b] = (await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}')).split(
      ' ',
    );
    const today = new Intl.DateTimeFormat('en-US', { weekday: 'short' }).format(new Date()).toLowerCase();
    const other = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].filter((d) => d !== today).join(',');
    const all = ['seal/start-time=00-00-00', 'seal/end-time=23-59-59'];
    // Settings are labels or annotations; a list of days has commas, which only an annotation may hold.
    await c.kubectl('label', 'pod', a!, 'seal/enabled=true', 'seal/force-kill=true', ...all);
    await c.kubectl('annotate', 'pod', a!, `seal/days=${today}`);
    await c.kubectl('label', 'pod', b!, 'seal/enabled=true', ...all);
    await c.kubectl('annotate', 'pod', b!, `seal/days=${other}`);
    const policy = {
      type: 'powerfulseal' as const,
      scenarios: [{ name: 'label mode', steps: [{ labelMode: { namespace: 'default' } }] }],
    };
    const out = (await powerfulSealProvider.run(policy, ctx)) as SealRunOutput;
    expect(out.steps[0]).toMatchObject({ step: 'labelMode', matched: 2, killed: [`default/${a}`] });
    expect(out.steps[0]?.detail).toMatch(new RegExp(`default/${b}: not on its seal/days`));
    expect(injected).toEqual([
      { kind: 'pod.delete', target: { namespace: 'default', name: a }, params: { gracePeriod: 0, force: true } },
    ]);
    await c.kubectl('label', 'pod', a!, b!, 'seal/enabled-', 'seal/force-kill-', 'seal/start-time-', 'seal/end-time-');
  }, 30_000);

  it('dayTime outside its window kills nothing; --seed replays the same random sample', async () => {
    const injected: unknown[] = [];
    const faults = {
      inject: (spec: unknown) => {
        injected.push(spec);
        return Promise.resolve([]);
      },
    } as unknown as FaultInjector;
    const ctx = (seed: number): ProviderContext => ({
      configuration: {},
      secrets: {},
      signal: new AbortController().signal,
      baseDir: dir,
      rng: new Rng(seed),
      strict: false,
      faults,
    });
    const hour = (new Date().getHours() + 12) % 24; // the process's time zone, as the filter reads it
    const outside = {
      type: 'powerfulseal' as const,
      scenarios: [
        {
          name: 'business hours only',
          steps: [
            {
              podAction: {
                matches: [{ namespace: 'default' }],
                filters: [{ dayTime: { startTime: { hour, minute: 0 }, endTime: { hour, minute: 30 } } }],
                actions: [{ kill: { force: true } }],
              },
            },
          ],
        },
      ],
    };
    const out = (await powerfulSealProvider.run(outside, ctx(1))) as SealRunOutput;
    expect(out.steps[0]?.matched).toBeGreaterThanOrEqual(3);
    expect(out.steps[0]?.selected).toEqual([]);
    expect(out.steps[0]?.detail).toMatch(/outside the dayTime window/);
    expect(injected).toEqual([]);

    const sample = {
      type: 'powerfulseal' as const,
      scenarios: [
        {
          name: 'sample',
          steps: [
            {
              podAction: {
                matches: [{ labels: { namespace: 'default', selector: 'app=web' } }],
                filters: [{ randomSample: { size: 1 } }],
                actions: [{ checkPodState: { state: 'Running' } }],
              },
            },
          ],
        },
      ],
    };
    const pick = async (seed: number) =>
      ((await powerfulSealProvider.run(sample, ctx(seed))) as SealRunOutput).steps[0]?.selected ?? [];
    const first = await pick(7);
    expect(first).toHaveLength(1);
    expect(await pick(7)).toEqual(first);
    const picks = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) picks.add((await pick(seed)).join());
    expect(picks.size).toBeGreaterThan(1);
  }, 30_000);
});
