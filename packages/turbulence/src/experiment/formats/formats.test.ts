/**
 * Every public PowerfulSeal and LitmusChaos sample (test/fixtures/powerfulseal, test/fixtures/litmus; see their
 * SOURCES.md) loads, or is refused with the exact unsupported field named at its line:column. A file added to
 * either folder without a row here fails the test.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTurbulenceError, type TurbulenceError } from '../../core/errors.js';
import { loadExperiment, parseExperiment } from '../load.js';
import { validateExperiment } from '../validate.js';
import { LITMUS_FAULTS } from './litmus.js';
import { litmusVerdicts, type LitmusExtension } from './verdicts.js';

const fixtures = join(import.meta.dirname, '../../../test/fixtures');
const hub = join(fixtures, 'litmus/chaos-charts');

/** `ok` (with its method length), or the first problem: message, key path, line. */
type Want = { ok: number } | { refused: RegExp; path: string; line: number };

const refusedHubFault = (line: number): Want => ({
  refused: /has ChaosExperiment definitions but no ChaosEngine/,
  path: 'kind',
  line,
});
const agentOnly = (name: string, line: number): Want => ({
  refused: new RegExp(`not supported: ${name} \\(supported: ${Object.keys(LITMUS_FAULTS).join(', ')}\\)`),
  path: 'spec.experiments[0].name',
  line,
});
/** Hub engines ship with `appinfo` empty: Litmus refuses to run them as they are, and so does turbulence. */
const noTarget = (name: string, line: number): Want => ({
  refused: new RegExp(`${name}: no target: spec.appinfo.applabel is empty and TARGET_PODS is not set`),
  path: 'spec.appinfo.applabel',
  line,
});
/** The Litmus docs' probe samples carry `<url>`-style placeholders: refused at the first one, at its line. */
const placeholder = (type: string, key: string, line: number): Want => ({
  refused: new RegExp(`${key} "<[^"]+>" is a placeholder from the Litmus docs, not a value`),
  path: `spec.experiments[0].spec.probe[0].${type}/inputs.${key}`,
  line,
});

const TABLE: Record<string, Want> = {
  'powerfulseal/crd/powerfulseal-kubernetes-sandbox_scenario.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-1_index.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-2_getting-started.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-4_policies-empty.yml': { ok: 0 },
  'powerfulseal/docs-extracted/docs-4_policies-random-strategy.yml': { ok: 0 },
  'powerfulseal/docs-extracted/docs-policies-clone-tc.yml': {
    refused: /not supported: clone/,
    path: 'scenarios[0].steps[0].clone',
    line: 7,
  },
  'powerfulseal/docs-extracted/docs-policies-deployment-redundancy-1.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-policies-http-proxy.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-policies-kubectl.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-policies-mixing-nodes-pods.yml': {
    refused: /not supported: nodeAction stop/,
    path: 'scenarios[0].steps[0].nodeAction.actions[0].stop',
    line: 21,
  },
  'powerfulseal/docs-extracted/docs-policies-pods-and-hosts.yml': {
    refused: /not supported: podAction stopHost/,
    path: 'scenarios[0].steps[0].podAction.actions[0].stopHost',
    line: 11,
  },
  'powerfulseal/docs-extracted/docs-policies-pods-rescheduled.yml': { ok: 1 },
  'powerfulseal/docs-extracted/docs-policies-verify-pods-1.yml': { ok: 1 },
  'powerfulseal/legacy-v2/powerfulseal-2.9.1-policy_kill_random_default.yml': {
    refused: /"podScenarios" is the PowerfulSeal 2.x policy format/,
    path: 'podScenarios',
    line: 8,
  },
  'powerfulseal/policies/krkn-ci-hello_pod_killing.yml': { ok: 1 },
  'powerfulseal/policies/krkn-kube-scheduler.yml': { ok: 1 },
  'powerfulseal/policies/krkn-openshift-customapp_pod.yaml': { ok: 1 },
  'powerfulseal/policies/krkn-openshift-etcd.yml': { ok: 1 },
  'powerfulseal/policies/krkn-openshift-post_action_prometheus.yml': { ok: 1 },
  'powerfulseal/policies/krkn-openshift-regex_openshift_pod_kill.yml': { ok: 1 },
  'powerfulseal/policies/powerfulseal-tests-example_config.yml': {
    refused: /unknown key "retriesTimeout"/,
    path: 'scenarios[0].steps[6].podAction.retriesTimeout',
    line: 250,
  },
  'powerfulseal/policies/powerfulseal-tests-example_config2.yml': { ok: 7 },
  'litmus/chaos-charts/container-kill/engine.yaml': {
    refused: /container-kill: no target: spec.appinfo.applabel is empty and TARGET_PODS is not set/,
    path: 'spec.appinfo.applabel',
    line: 12,
  },
  'litmus/chaos-charts/pod-delete/engine.yaml': {
    refused: /pod-delete: no target: spec.appinfo.applabel is empty/,
    path: 'spec.appinfo.applabel',
    line: 10,
  },
  'litmus/chaos-charts/node-drain/engine.yaml': {
    refused: /node-drain: no target node: TARGET_NODE and NODE_LABEL are both empty/,
    path: 'spec.experiments[0].spec.components.env',
    line: 20,
  },
  'litmus/chaos-charts/node-taint/engine.yaml': {
    refused: /node-taint: no target node/,
    path: 'spec.experiments[0].spec.components.env',
    line: 20,
  },
  'litmus/chaos-charts/disk-fill/engine.yaml': noTarget('disk-fill', 14),
  'litmus/chaos-charts/node-cpu-hog/engine.yaml': agentOnly('node-cpu-hog', 14),
  'litmus/chaos-charts/pod-cpu-hog/engine.yaml': noTarget('pod-cpu-hog', 12),
  'litmus/chaos-charts/pod-dns-error/engine.yaml': noTarget('pod-dns-error', 9),
  'litmus/chaos-charts/pod-io-stress/engine.yaml': noTarget('pod-io-stress', 12),
  'litmus/chaos-charts/pod-memory-hog/engine.yaml': noTarget('pod-memory-hog', 12),
  'litmus/chaos-charts/pod-network-corruption/engine.yaml': noTarget('pod-network-corruption', 13),
  'litmus/chaos-charts/pod-network-duplication/engine.yaml': noTarget('pod-network-duplication', 14),
  'litmus/chaos-charts/pod-network-latency/engine.yaml': noTarget('pod-network-latency', 13),
  'litmus/chaos-charts/pod-network-loss/engine.yaml': noTarget('pod-network-loss', 13),
  'litmus/chaos-charts/pod-network-partition/engine.yaml': noTarget('pod-network-partition', 13),
  'litmus/chaos-charts/workflows/podtato-head-experiment.yaml': {
    refused: /not supported: an Argo Workflow \(ChaosCenter\)/,
    path: 'kind',
    line: 2,
  },
  'litmus/litmus-docs/probes/cmdProbe-inline-mode.yaml': placeholder('cmdProbe', 'command', 22),
  'litmus/litmus-docs/probes/common-probe-chaining.yaml': placeholder('cmdProbe', 'command', 21),
  'litmus/litmus-docs/probes/httpProbe-http-get.yaml': placeholder('httpProbe', 'url', 20),
  'litmus/litmus-docs/probes/httpProbe-http-post-with-body.yaml': placeholder('httpProbe', 'url', 20),
  'litmus/litmus-docs/probes/k8sProbe-create-operation.yaml': { ok: 4 },
  'litmus/litmus-docs/probes/promProbe-prom-probe-with-query.yaml': placeholder('promProbe', 'endpoint', 21),
  'litmus/real-world/litmus-demo-sock-shop-catalogue-cpu-hog.yaml': { ok: 1 },
  'litmus/real-world/litmus-e2e-env-from-secret-configmap-pod-delete.yml': { ok: 3 },
};
for (const fault of [
  'container-kill',
  'disk-fill',
  'node-cpu-hog',
  'node-drain',
  'node-taint',
  'pod-cpu-hog',
  'pod-delete',
  'pod-dns-error',
  'pod-io-stress',
  'pod-memory-hog',
  'pod-network-corruption',
  'pod-network-duplication',
  'pod-network-latency',
  'pod-network-loss',
  'pod-network-partition',
]) {
  TABLE[`litmus/chaos-charts/${fault}/fault.yaml`] = refusedHubFault(fault === 'container-kill' ? 5 : 6);
}

function samples(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return samples(p);
    return /\.ya?ml$/.test(f) && f !== 'ps-schema.yaml' ? [relative(fixtures, p)] : [];
  });
}

describe('public PowerfulSeal and Litmus samples', () => {
  const files = [...samples(join(fixtures, 'powerfulseal')), ...samples(join(fixtures, 'litmus'))].sort();

  it('has a row for every sample file', () => {
    expect(files.filter((f) => !(f in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(files)('%s', async (file) => {
    const want = TABLE[file] as Want;
    let err: TurbulenceError | undefined;
    try {
      const loaded = await loadExperiment(join(fixtures, file), { hub });
      expect(loaded.dialect).toBe(file.startsWith('powerfulseal') ? 'powerfulseal' : 'litmus');
      const errors = await validateExperiment(loaded, { checkProviders: false });
      expect(errors.map((e) => e.format())).toEqual([]);
      expect('ok' in want, 'expected a refusal').toBe(true);
      if ('ok' in want) expect(loaded.experiment.method).toHaveLength(want.ok);
      return;
    } catch (e) {
      if (!isTurbulenceError(e)) throw e;
      err = e;
    }
    expect('refused' in want, err.format()).toBe(true);
    if (!('refused' in want)) return;
    expect(err.message).toMatch(want.refused);
    expect(err.location?.file).toBe(join(fixtures, file));
    expect(err.location?.line).toBe(want.line);
    const path = (err.location?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    expect(path.replace(/^\./, '')).toBe(want.path);
  });
});

describe('PowerfulSeal schema semantics', () => {
  const load = (text: string) => parseExperiment(text, 'yaml', { source: 'p.yml' });
  const refusal = (text: string) => {
    try {
      load(text);
    } catch (e) {
      if (isTurbulenceError(e)) return [e, ...e.details];
    }
    throw new Error('not refused');
  };

  it('names the nearest valid key, reports the oneOf branch the step meant, never "any of the given schemas"', () => {
    const [typo] = refusal(
      'scenarios:\n  - name: abc\n    steps:\n      - podAction:\n          matchs: []\n          actions: []\n',
    );
    expect(typo?.message).toBe('PowerfulSeal policy: unknown key "matchs"');
    expect(typo?.hint).toBe('did you mean "matches"?');
    expect(typo?.location).toMatchObject({ line: 5, column: 11 });
    const errors = refusal(
      'scenarios:\n  - name: abc\n    steps:\n      - podAction:\n          matches: [{namespace: x}]\n' +
        '          actions: [{kill: {probability: 2}}]\n',
    );
    expect(errors.map((e) => e.message)).toEqual(['PowerfulSeal policy: must be at most 1']);
    expect(errors[0]?.location?.path).toEqual([
      'scenarios',
      0,
      'steps',
      0,
      'podAction',
      'actions',
      0,
      'kill',
      'probability',
    ]);
    const [step] = refusal('scenarios:\n  - name: abc\n    steps:\n      - podActon: {}\n');
    expect(step?.message).toBe('PowerfulSeal policy: unknown key "podActon"');
    expect(step?.hint).toBe('did you mean "podAction"?');
    const [regex] = refusal(
      'scenarios:\n  - name: abc\n    steps:\n      - podAction:\n          matches: [{namespace: "a(b"}]\n' +
        '          actions: [{kill: {}}]\n',
    );
    expect(regex?.message).toMatch(/"a\(b" is not a regular expression turbulence can run/);
    expect(regex?.location).toMatchObject({ line: 5, column: 22 });
    const [name] = refusal('scenarios:\n  - name: ab\n    steps: []\n');
    expect(name?.message).toMatch(/at least 3 characters/);
  });

  it('reads leading-dot floats, empty selectors and checkPodCount under retries.retriesTimeout with no sleep', () => {
    const loaded = load(
      'config: {runStrategy: {runs: 2, minSecondsBetweenRuns: 1, maxSecondsBetweenRuns: 2}, exitStrategy: {strategy: fail-fast}}\n' +
        'scenarios:\n  - name: kill and count\n    steps:\n' +
        '      - podAction:\n          matches: [{labels: {namespace: "ns-.*", selector: ""}}]\n' +
        '          actions: [{kill: {probability: .7}}]\n' +
        '      - podAction:\n          matches: [{namespace: ns}]\n          retries: {retriesTimeout: {timeout: 180}}\n' +
        '          actions: [{checkPodCount: {count: 3}}]\n',
    );
    expect(loaded.dialect).toBe('powerfulseal');
    expect(loaded.experiment.method).toHaveLength(2);
    expect(loaded.experiment.method[1]).toMatchObject({
      'on-fail': 'fail',
      provider: { type: 'powerfulseal', betweenRuns: [1, 2] },
    });
  });
});

describe('Litmus env', () => {
  const engine = (env: string) =>
    `apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosEngine\nmetadata: {name: e}\nspec:\n  engineState: active\n` +
    `  appinfo: {appns: default, applabel: app=web, appkind: deployment}\n  experiments:\n    - name: pod-delete\n` +
    `      spec:\n        components:\n          env:\n${env}---\n` +
    `apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosExperiment\nmetadata: {name: pod-delete}\nspec:\n  definition:\n` +
    `    env:\n      - {name: TOTAL_CHAOS_DURATION, value: "15"}\n      - {name: CHAOS_INTERVAL, value: "5"}\n` +
    `      - {name: FORCE, value: "true"}\n`;
  it("overrides the ChaosExperiment's defaults, '' means unset, a bad number is refused at its line", () => {
    const loaded = parseExperiment(
      engine(`            - {name: TOTAL_CHAOS_DURATION, value: '20'}\n            - {name: FORCE, value: ''}\n`),
      'yaml',
      { source: 'e.yaml' },
    );
    expect(loaded.experiment.method).toHaveLength(4); // 20 s every 5 s
    expect(loaded.experiment.method[0]).toMatchObject({
      provider: { kind: 'pod.delete', target: { namespace: 'default', selector: 'app=web' }, params: { force: true } },
      pauses: { after: 5 },
    });
    let err: TurbulenceError | undefined;
    try {
      parseExperiment(engine(`            - {name: CHAOS_INTERVAL, value: abc}\n`), 'yaml', { source: 'e.yaml' });
    } catch (e) {
      if (isTurbulenceError(e)) err = e;
    }
    expect(err?.message).toBe('LitmusChaos ChaosEngine: CHAOS_INTERVAL="abc" is not a number of seconds');
    expect(err?.location?.line).toBe(11);
  });

  it('a stopped engine refuses to run', () => {
    expect(() =>
      parseExperiment(engine('            []\n').replace('engineState: active', 'engineState: stop'), 'yaml', {
        source: 'e.yaml',
      }),
    ).toThrow(/engineState is "stop"/);
  });
});

describe('Litmus verdicts and resilience score', () => {
  const ext: LitmusExtension = {
    name: 'litmus',
    engine: 'e',
    faults: [
      { name: 'pod-delete', weight: 10, actions: ['pd 1', 'pd 2'] },
      { name: 'node-drain', weight: 10, actions: ['nd'] },
    ],
  };
  const record = (name: string, status: 'succeeded' | 'failed') =>
    ({
      activity: { name },
      status,
      exception: status === 'failed' ? ['ActivityFailed: no pod matched\n'] : [],
    }) as never;

  it('Pass, Fail with its failStep, Stopped when the run was interrupted; the score is the weighted mean', () => {
    const journal = {
      status: 'failed',
      run: [record('pd 1', 'succeeded'), record('pd 2', 'succeeded'), record('nd', 'failed')],
    };
    expect(litmusVerdicts(ext, journal as never)).toEqual({
      engine: 'e',
      resilienceScore: 50,
      results: [
        { fault: 'pod-delete', verdict: 'Pass', probeSuccessPercentage: 100, failStep: 'N/A', weight: 10 },
        {
          fault: 'node-drain',
          verdict: 'Fail',
          probeSuccessPercentage: 0,
          failStep: 'nd: ActivityFailed: no pod matched',
          weight: 10,
        },
      ],
    });
    const stopped = litmusVerdicts(ext, { status: 'interrupted', run: [record('pd 1', 'succeeded')] } as never);
    expect(stopped.results.map((r) => r.verdict)).toEqual(['Stopped', 'Stopped']);
    expect(stopped.results[0]?.failStep).toBe('1 of 2 injections did not run');
    expect(stopped.resilienceScore).toBe(0);
  });

  it('probes: passed × 100 / probes, integer division as Litmus; a failed probe fails; a cut fault is Stopped', () => {
    const withProbes: LitmusExtension = {
      name: 'litmus',
      engine: 'e',
      faults: [{ name: 'pod-delete', weight: 10, actions: ['pd'], probes: ['a', 'b', 'c'] }],
    };
    const probe = (name: string, passed: boolean) => ({
      name,
      type: 'httpProbe',
      mode: 'EOT',
      status: { PostChaos: passed ? 'Passed' : 'Failed' },
      passed,
      evaluations: 1,
      ...(passed ? {} : { failure: 'PostChaos: status 503' }),
    });
    const journal = {
      status: 'completed',
      run: [record('pd', 'succeeded')],
      probes: [probe('a', true), probe('b', true), probe('c', false)],
      faults: [],
    };
    const [r] = litmusVerdicts(withProbes, journal as never).results;
    expect(r).toMatchObject({ verdict: 'Fail', probeSuccessPercentage: 66 });
    expect(r?.failStep).toBe('probe c (EOT) failed: PostChaos: status 503');
    const cut = litmusVerdicts(ext, {
      status: 'interrupted',
      run: [record('pd 1', 'succeeded'), record('pd 2', 'succeeded'), record('nd', 'succeeded')],
      faults: [{ activity: 'nd', reverted_by: 'interrupt' }],
    } as never);
    expect(cut.results.map((x) => x.verdict)).toEqual(['Pass', 'Stopped']);
  });
});
