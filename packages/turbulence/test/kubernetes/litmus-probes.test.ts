/**
 * LitmusChaos probes run by `turbulence run` against the Kubernetes API fake: a pod-delete engine with one probe of
 * each type and mode (httpProbe Continuous against a loopback server, cmdProbe Edge, k8sProbe SOT present and
 * create, promProbe OnChaos against a loopback FAKE Prometheus that speaks `/api/v1/query`), 2.x and 3.x run
 * properties mixed; then an engine whose EOT probe fails: verdict Fail, probeSuccessPercentage 50, as Litmus
 * computes it, written as a ChaosResult; a ChaosEngine in the cluster set to `engineState: stop` while it runs
 * stops the run and reverts (verdict Stopped). Effects read back with real kubectl.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { litmusCrds } from '../../src/experiment/formats/litmus-cluster.js';
import { cliTimeout, runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { kubectlRequirement, startCluster, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();
const hub = join(import.meta.dirname, '../fixtures/litmus/chaos-charts');
const crds = join(import.meta.dirname, '../../../../deploy/kubernetes/litmus-crds.yaml');

const TAINT_ENGINE = `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata:
  name: stop-me
  namespace: default
spec:
  engineState: 'active'
  experiments:
    - name: node-taint
      spec:
        components:
          env:
            - name: TOTAL_CHAOS_DURATION
              value: '60'
            - name: TARGET_NODE
              value: 'node-1'
            - name: TAINTS
              value: 'chaos=on:NoSchedule'
`;

const engine = (name: string, probes: string) => `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata:
  name: ${name}
spec:
  engineState: 'active'
  appinfo:
    appns: 'default'
    applabel: 'app=web'
    appkind: 'deployment'
  experiments:
    - name: pod-delete
      spec:
        components:
          env:
            - name: TOTAL_CHAOS_DURATION
              value: '2'
            - name: CHAOS_INTERVAL
              value: '1'
        probe:
${probes}`;

const ALL_TYPES = (web: string, prom: string) => `          - name: frontend-up
            type: httpProbe
            httpProbe/inputs:
              url: ${web}/health
              method:
                get:
                  criteria: ==
                  responseCode: "200"
            mode: Continuous
            runProperties:
              probeTimeout: 5
              interval: 1
              retry: 1
              probePollingInterval: 1
          - name: three-replicas
            type: cmdProbe
            cmdProbe/inputs:
              command: printf 3
              comparator:
                type: int
                criteria: ">="
                value: "3"
              source: inline
            mode: Edge
            runProperties:
              probeTimeout: 2s
              interval: 100ms
              attempt: 1
          - name: web-pods-present
            type: k8sProbe
            k8sProbe/inputs:
              group: ""
              version: v1
              resource: pods
              namespace: default
              labelSelector: app=web
              operation: present
            mode: SOT
            runProperties:
              probeTimeout: 5
              interval: 1
              retry: 1
          - name: create-marker
            type: k8sProbe
            k8sProbe/inputs:
              version: v1
              resource: configmaps
              namespace: default
              operation: create
            data: |
              apiVersion: v1
              kind: ConfigMap
              metadata:
                name: litmus-probe-marker
              data:
                from: k8sProbe
            mode: SOT
            runProperties:
              probeTimeout: 5
              interval: 1
              retry: 1
          - name: targets-up
            type: promProbe
            promProbe/inputs:
              endpoint: ${prom}
              query: sum(up{job="web"})
              comparator:
                criteria: ">="
                value: "1"
            mode: OnChaos
            runProperties:
              probeTimeout: 5
              interval: 1
              attempt: 1
              probePollingInterval: 500ms
`;

const ONE_FAILS = (web: string) => `          - name: ready-before
            type: cmdProbe
            cmdProbe/inputs:
              command: echo ready
              comparator:
                type: string
                criteria: equals
                value: ready
            mode: SOT
            runProperties:
              probeTimeout: 5
              interval: 1
              retry: 1
          - name: healthy-after
            type: httpProbe
            httpProbe/inputs:
              url: ${web}/down
              method:
                get:
                  criteria: ==
                  responseCode: "200"
            mode: EOT
            runProperties:
              probeTimeout: 2s
              interval: 100ms
              attempt: 2
`;

interface LitmusOut {
  litmus: {
    resilienceScore: number;
    results: {
      fault: string;
      verdict: string;
      probeSuccessPercentage: number;
      failStep: string;
      probeStatuses?: { name: string; type: string; mode: string; status: Record<string, string>; passed: boolean }[];
    }[];
  };
}

describe.skipIf(sys.skip)('Litmus probes against the cluster fake', () => {
  let c: TestCluster;
  let dir: string;
  let web: Server;
  let prom: Server;
  let promQueries: string[];
  const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'turbulence-litmus-probes-'));
    web = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 503;
      res.end();
    });
    // A FAKE Prometheus: only the instant-query endpoint, always one sample of value 3.
    promQueries = [];
    prom = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/api/v1/query') {
        res.statusCode = 404;
        res.end();
        return;
      }
      promQueries.push(url.searchParams.get('query') ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '3'] }] },
        }),
      );
    });
    await Promise.all([web, prom].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    // The shipped manifest is litmusCrds(), and the fake serves it (kubectl applies it).
    const shipped = parseAllDocuments(readFileSync(crds, 'utf8')).map((d) => d.toJS() as unknown);
    expect(shipped).toEqual(JSON.parse(JSON.stringify(litmusCrds())));
    await c.kubectl('apply', '-f', crds);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([web, prom].map((s) => new Promise((r) => s?.close(r))));
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'one probe of each type and mode passes: verdict Pass, probeSuccessPercentage 100',
    async () => {
      const file = join(dir, 'all.yaml');
      writeFileSync(file, engine('probes-pass', ALL_TYPES(base(web), base(prom))));
      const res = await runCli(['run', file, '--hub', hub, '--journal-path', join(dir, 'all.json')], {
        env: c.env,
      });
      expect(res.code, res.out).toBe(0);
      const j = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')) as LitmusOut;
      const r = j.litmus.results[0];
      expect(r).toMatchObject({ fault: 'pod-delete', verdict: 'Pass', probeSuccessPercentage: 100, failStep: 'N/A' });
      expect(r?.probeStatuses?.map((p) => [p.name, p.type, p.mode, p.status])).toEqual([
        ['frontend-up', 'httpProbe', 'Continuous', { Continuous: 'Passed' }],
        ['three-replicas', 'cmdProbe', 'Edge', { PreChaos: 'Passed', PostChaos: 'Passed' }],
        ['web-pods-present', 'k8sProbe', 'SOT', { PreChaos: 'Passed' }],
        ['create-marker', 'k8sProbe', 'SOT', { PreChaos: 'Passed' }],
        ['targets-up', 'promProbe', 'OnChaos', { OnChaos: 'Passed' }],
      ]);
      expect(promQueries.length).toBeGreaterThan(0);
      expect(promQueries[0]).toBe('sum(up{job="web"})');
      expect(await c.kubectl('get', 'configmap', 'litmus-probe-marker', '-o', 'jsonpath={.data.from}')).toBe(
        'k8sProbe',
      );
    },
    cliTimeout(1, 20_000),
  );

  it(
    'a failing EOT probe fails the verdict: probeSuccessPercentage 50 (1 of 2), failStep names it',
    async () => {
      const file = join(dir, 'fail.yaml');
      writeFileSync(file, engine('probes-fail', ONE_FAILS(base(web))));
      const res = await runCli(
        [
          'run',
          file,
          '--hub',
          hub,
          '--journal-path',
          join(dir, 'fail.json'),
          '--junit',
          join(dir, 'fail.xml'),
          '--report',
          join(dir, 'fail.md'),
        ],
        { env: c.env },
      );
      expect(res.code, res.out).not.toBe(0);
      expect(res.out).toMatch(/litmus pod-delete: Fail \(probeSuccessPercentage 50\)/);
      const j = JSON.parse(readFileSync(join(dir, 'fail.json'), 'utf8')) as LitmusOut;
      expect(j.litmus.results[0]).toMatchObject({ verdict: 'Fail', probeSuccessPercentage: 50 });
      expect(j.litmus.results[0]?.failStep).toMatch(/probe healthy-after \(EOT\) failed: PostChaos: .*status 503/);
      expect(j.litmus.resilienceScore).toBe(50);
      // As Litmus's runner does: a ChaosResult <engine>-<fault> in the engine's namespace.
      expect(res.out).toMatch(/ChaosResult written: default\/probes-fail-pod-delete/);
      const result = JSON.parse(await c.kubectl('get', 'chaosresult', 'probes-fail-pod-delete', '-o', 'json')) as {
        status: { experimentStatus: Record<string, string>; history: Record<string, number>; probeStatuses: unknown[] };
      };
      expect(result.status.experimentStatus).toMatchObject({ verdict: 'Fail', probeSuccessPercentage: '50' });
      expect(result.status.history).toEqual({ passedRuns: 0, failedRuns: 1, stoppedRuns: 0 });
      expect(result.status.probeStatuses).toHaveLength(2);
      // Where people look: JUnit and the report carry the verdict, the probes and the score.
      const junit = readFileSync(join(dir, 'fail.xml'), 'utf8');
      expect(junit).toMatch(/<testcase name="litmus pod-delete: Fail" classname="[^"]*\.litmus"[^>]*>\s*<failure/);
      expect(junit).toMatch(/<testcase name="litmus pod-delete \/ healthy-after \(httpProbe, EOT\): Failed"/);
      expect(junit).toMatch(/<testcase name="litmus resilience score: 50%"/);
      const md = readFileSync(join(dir, 'fail.md'), 'utf8');
      expect(md).toMatch(/Verdicts \(Litmus \/ PowerfulSeal\)\*\* · Litmus resilience score 50%/);
      expect(md).toMatch(/\| litmus \| pod-delete \| ✘ Fail \| probeSuccessPercentage 50;/);
    },
    cliTimeout(1, 20_000),
  );

  it(
    'engineState: stop on the live ChaosEngine stops the run: the taint is reverted, verdict Stopped',
    async () => {
      const file = join(dir, 'stop.yaml');
      writeFileSync(file, TAINT_ENGINE);
      await c.kubectl('label', 'node', 'node-1', 'turbulence.io/enabled=true', '--overwrite');
      await c.kubectl('create', '-f', file);
      const taints = () => c.kubectl('get', 'node', 'node-1', '-o', 'jsonpath={.spec.taints[*].key}');
      const run = spawnCli(['run', file, '--hub', hub, '--journal-path', join(dir, 'stop.json')], {
        env: c.env,
        timeoutMs: 60_000,
      });
      expect(await eventually(async () => (await taints()).includes('chaos'), 30_000, 200), run.out()).toBe(true);
      const stoppedAt = Date.now();
      await c.kubectl('patch', 'chaosengine', 'stop-me', '--type', 'merge', '-p', '{"spec":{"engineState":"stop"}}');
      await run.exit;
      expect(Date.now() - stoppedAt).toBeLessThan(20_000); // not the 60 s of the fault
      expect(run.out()).toMatch(/litmus node-taint: Stopped/);
      expect(await taints()).not.toContain('chaos');
      expect(
        await c.kubectl(
          'get',
          'chaosresult',
          'stop-me-node-taint',
          '-o',
          'jsonpath={.status.experimentStatus.verdict}',
        ),
      ).toBe('Stopped');
    },
    cliTimeout(1, 30_000),
  );

  it(
    'turbulence operator --once runs a ChaosEngine applied to the cluster: status completed, ChaosResult Pass',
    async () => {
      const engineFile = join(dir, 'op.yaml');
      writeFileSync(
        engineFile,
        engine('op-engine', '')
          .replace(/\n\s+probe:\n$/, '\n')
          .replace("value: '2'", "value: '1'"),
      );
      await c.kubectl('create', '-f', join(hub, 'pod-delete', 'fault.yaml'));
      await c.kubectl('create', '-f', engineFile);
      const uids = () => c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}');
      const before = (await uids()).split(' ');
      const res = await runCli(['operator', '--once', '--namespace', 'default'], { env: c.env });
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/op-engine: pod-delete Pass; resilience score 100%; ChaosResult op-engine-pod-delete/);
      const status = JSON.parse(await c.kubectl('get', 'chaosengine', 'op-engine', '-o', 'jsonpath={.status}')) as {
        engineStatus: string;
        experiments: { name: string; verdict: string }[];
      };
      expect(status.engineStatus).toBe('completed');
      expect(status.experiments.map((e) => [e.name, e.verdict])).toEqual([['pod-delete', 'Pass']]);
      expect(
        await c.kubectl(
          'get',
          'chaosresult',
          'op-engine-pod-delete',
          '-o',
          'jsonpath={.status.experimentStatus.verdict}',
        ),
      ).toBe('Pass');
      expect(await eventually(async () => (await uids()).split(' ').some((u) => !before.includes(u)), 10_000)).toBe(
        true,
      );
      const journal = /op-engine: journal (\S+)/.exec(res.out)?.[1] ?? '';
      expect(journal).toMatch(/operator\/default-op-engine-\d+\.json$/);
      expect(JSON.parse(readFileSync(journal, 'utf8'))).toMatchObject({ litmus: { resilienceScore: 100 } });
      // The stopped engine of the test before is not run, only marked.
      expect(res.out).toMatch(/stop-me: engineState stop: not run/);
    },
    cliTimeout(1, 20_000),
  );
});
