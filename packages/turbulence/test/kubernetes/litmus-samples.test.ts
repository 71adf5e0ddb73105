/**
 * Public LitmusChaos samples (copied byte for byte into `test/fixtures/litmus/`, see its SOURCES.md) run unchanged
 * by `turbulence run` against the Kubernetes API fake; only the workloads they name are created first, as a user's
 * cluster would have them:
 * - `litmus-docs/probes/k8sProbe-create-operation.yaml` (definition from the chaos-charts hub: 15 s of pod-delete
 *   every 5 s on `app=nginx`): its SOT k8sProbe creates the PersistentVolumeClaim of its `data`, read back with
 *   kubectl; nginx pods deleted and replaced by the fake's controller; verdict Pass, score 100.
 * - `real-world/litmus-e2e-env-from-secret-configmap-pod-delete.yml` (Secret, ConfigMap, ChaosExperiment and
 *   ChaosEngine in one file: 30 s of chaos, the duration from the Secret): pods of `run=nginx` in namespace `litmus`
 *   deleted and replaced; verdict and score in the journal.
 * Both run at once (different targets, separate homes) so the file costs ~30 s, the e2e engine's own duration.
 * And a public PowerfulSeal policy, `powerfulseal/policies/krkn-ci-hello_pod_killing.yml` (krkn's CI): kills the
 * one `hello-openshift` pod, then waits (retries) until the controller's replacement brings the count back to 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { kubectlRequirement, startCluster, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();
const fixtures = join(import.meta.dirname, '../fixtures/litmus');
const hub = join(fixtures, 'chaos-charts');
const sealPolicy = join(import.meta.dirname, '../fixtures/powerfulseal/policies/krkn-ci-hello_pod_killing.yml');

/** A Deployment of `replicas` pods labelled `labels`, opted in to turbulence (Litmus' annotationCheck stand-in). */
const deployment = (namespace: string, labels: Record<string, string>, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace, labels },
  spec: {
    replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels: { ...labels, 'turbulence.io/enabled': 'true' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
    },
  },
});

interface Journal {
  status: string;
  faults: { kind: string; target: { id: string }; reverted_by: string | null }[];
  litmus: {
    engine: string;
    resilienceScore: number;
    results: { fault: string; verdict: string; probeSuccessPercentage: number; failStep: string }[];
  };
}

describe.skipIf(sys.skip)('public Litmus and PowerfulSeal samples, unchanged, against the cluster fake', () => {
  let c: TestCluster;
  let dir: string;
  const uids = async (ns: string, selector: string) =>
    (await c.kubectl('get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={.items[*].metadata.uid}'))
      .split(' ')
      .filter(Boolean);

  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'turbulence-litmus-samples-'));
    const workloads = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'litmus' } },
      deployment('default', { app: 'nginx' }, 2),
      deployment('litmus', { run: 'nginx' }, 2),
      { ...deployment('default', { 'hello-openshift': 'true' }, 1), metadata: { name: 'hello', namespace: 'default' } },
    ];
    for (const [i, w] of workloads.entries()) {
      writeFileSync(join(dir, `workload-${i}.json`), JSON.stringify(w));
      await c.kubectl('apply', '-f', join(dir, `workload-${i}.json`));
    }
  }, 30_000);
  afterAll(async () => {
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'the k8sProbe sample creates its PVC and the e2e engine deletes pods the controller replaces; Pass, score 100',
    async () => {
      expect(await eventually(async () => (await uids('litmus', 'run=nginx')).length === 2, 10_000)).toBe(true);
      const beforeDefault = await uids('default', 'app=nginx');
      const beforeLitmus = await uids('litmus', 'run=nginx');
      expect(beforeDefault).toHaveLength(2);
      expect(beforeLitmus).toHaveLength(2);
      expect((await c.kubectlResult('get', 'pvc', 'percona-mysql-claim')).code).not.toBe(0);

      const run = (file: string, name: string, extra: string[] = []) =>
        runCli(['run', file, ...extra, '--seed', '5', '--journal-path', join(dir, `${name}.json`)], {
          env: { ...c.env, TURBULENCE_HOME: join(dir, `home-${name}`) },
          timeoutMs: 120_000,
        });
      const [probe, e2e] = await Promise.all([
        run(join(fixtures, 'litmus-docs/probes/k8sProbe-create-operation.yaml'), 'probe', ['--hub', hub]),
        run(join(fixtures, 'real-world/litmus-e2e-env-from-secret-configmap-pod-delete.yml'), 'e2e'),
      ]);

      // k8sProbe sample: the probe's manifest became a real object, seen by kubectl.
      expect(probe.out).toMatch(/found a LitmusChaos ChaosEngine/);
      expect(probe.code, probe.out).toBe(0);
      expect(await c.kubectl('get', 'pvc', 'percona-mysql-claim', '-o', 'jsonpath={.spec.storageClassName}')).toBe(
        'standard',
      );
      expect(probe.out).toMatch(/litmus pod-delete: Pass[\s\S]*resilience score: 100%/);
      const pj = JSON.parse(readFileSync(join(dir, 'probe.json'), 'utf8')) as Journal;
      expect(pj.litmus).toEqual({
        engine: 'engine-nginx',
        resilienceScore: 100,
        results: [expect.objectContaining({ fault: 'pod-delete', verdict: 'Pass', probeSuccessPercentage: 100 })],
      });
      expect(pj.faults.length).toBeGreaterThanOrEqual(1);
      expect(pj.faults.every((f) => f.kind === 'pod.delete' && f.target.id.startsWith('pod:default/'))).toBe(true);

      // e2e engine: 30 s from the Secret, pods deleted in namespace litmus.
      expect(e2e.out).toMatch(/CHAOS_INTERNAL is not a tunable turbulence reads; ignored/);
      expect(e2e.code, e2e.out).toBe(0);
      expect(e2e.out).toMatch(/litmus pod-delete: Pass[\s\S]*resilience score: 100%/);
      const ej = JSON.parse(readFileSync(join(dir, 'e2e.json'), 'utf8')) as Journal;
      expect(ej.litmus).toMatchObject({
        engine: 'env-from-secret-and-cm-test',
        resilienceScore: 100,
        results: [{ fault: 'pod-delete', verdict: 'Pass', probeSuccessPercentage: 100 }],
      });
      expect(ej.faults.length).toBeGreaterThanOrEqual(2);
      expect(ej.faults.every((f) => f.kind === 'pod.delete' && f.target.id.startsWith('pod:litmus/'))).toBe(true);

      // Every deleted pod was replaced by the fake's ReplicaSet controller: two pods again, new ones among them.
      for (const [ns, selector, before, journal] of [
        ['default', 'app=nginx', beforeDefault, pj],
        ['litmus', 'run=nginx', beforeLitmus, ej],
      ] as const) {
        const after = await uids(ns, selector);
        expect(after).toHaveLength(2);
        const killed = journal.faults.map((f) => f.target.id.split('/')[1]);
        expect(new Set(killed).size).toBe(killed.length);
        expect(after.filter((u) => !before.includes(u)).length).toBeGreaterThanOrEqual(1);
      }
    },
    cliTimeout(2, 60_000),
  );

  it(
    "krkn's PowerfulSeal policy kills the hello-openshift pod; the replacement satisfies its checkPodCount",
    async () => {
      expect(await eventually(async () => (await uids('default', 'hello-openshift')).length === 1, 10_000)).toBe(true);
      const before = await uids('default', 'hello-openshift');
      const res = await runCli(['run', sealPolicy, '--seed', '5', '--journal-path', join(dir, 'seal.json')], {
        env: { ...c.env, TURBULENCE_HOME: join(dir, 'home-seal') },
      });
      expect(res.out).toMatch(/found a PowerfulSeal policy/);
      expect(res.code, res.out).toBe(0);
      const journal = JSON.parse(readFileSync(join(dir, 'seal.json'), 'utf8')) as {
        status: string;
        run: { output?: { steps: { step: string; killed?: string[] }[] } }[];
        faults: { kind: string; target: { id: string } }[];
      };
      expect(journal.status).toBe('completed');
      expect(journal.faults).toHaveLength(1);
      expect(journal.faults[0]?.kind).toBe('pod.delete');
      expect(journal.faults[0]?.target.id).toMatch(/^pod:default\/hello-/);
      const steps = journal.run[0]?.output?.steps ?? [];
      expect(steps[0]?.killed).toHaveLength(1);
      const after = await uids('default', 'hello-openshift');
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
    },
    cliTimeout(1, 20_000),
  );
});
