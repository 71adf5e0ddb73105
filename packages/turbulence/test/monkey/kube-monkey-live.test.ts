/**
 * kube-monkey's opt-in labels read from live targets, `monkey plan|run config.toml` with no manifests given:
 *
 * - pods: the Kubernetes API fake (test/kube-fake; effects read with the real kubectl). Deployments labelled as in
 *   kube-monkey's README are found, one without mtbf and one in the blacklisted kube-system are skipped with
 *   kube-monkey's reasons; `fixed`/2 deletes two of three pods; a workload relabelled `disabled` after planning is
 *   skipped at kill time ("no longer enrolled").
 * - containers: a real dockerd; containers sharing a kube-monkey/identifier are one victim, a container with the
 *   identifier but without kube-monkey/enabled is never touched.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { requireSystem } from '../support/system.js';
import { kubectlRequirement, startCluster, type TestCluster } from '../kubernetes/cluster.js';
import { engine, removeTestContainers, startContainers, testRun } from '../system/docker/helpers.js';

const CONFIG = `[kubemonkey]
dry_run = false
run_hour = 8
start_hour = 10
end_hour = 16
time_zone = "UTC"
blacklisted_namespaces = ["kube-system"]
`;

const deployment = (name: string, namespace: string, labels: Record<string, string>) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: ${JSON.stringify(labels)}
spec:
  replicas: 3
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name}, kube-monkey/enabled: enabled, kube-monkey/identifier: ${name} }
    spec:
      containers: [{ name: app, image: nginx }]
`;

const victim = {
  'kube-monkey/enabled': 'enabled',
  'kube-monkey/identifier': 'km-web',
  'kube-monkey/mtbf': '1',
  'kube-monkey/kill-mode': 'fixed',
  'kube-monkey/kill-value': '2',
};

/** One accelerated workday (Monday 2026-12-07, UTC) of a kube-monkey config: ~3 s real. */
const runDay = (config: string, env: NodeJS.ProcessEnv, ...extra: string[]) =>
  runCli(
    [
      'monkey',
      'run',
      config,
      ...extra,
      '--seed',
      '3',
      '--start',
      '2026-12-07',
      '--days',
      '1',
      '--clock-speed',
      '30000',
    ],
    { env },
  );

interface Line {
  type?: string;
  group?: string;
  kind?: string;
  reason?: string;
  targets?: string[];
  faults?: { target: { name: string } }[];
}
const lines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

const kube = kubectlRequirement();

describe.skipIf(kube.skip)('kube-monkey labels from live pods (Kubernetes API fake)', () => {
  let c: TestCluster;
  let dir: string;
  const uids = async () =>
    (await c.kubectl('get', 'pods', '-l', 'kube-monkey/identifier=km-web', '-o', 'jsonpath={.items[*].metadata.uid}'))
      .split(' ')
      .filter(Boolean);

  beforeAll(async () => {
    c = await startCluster();
    dir = c.home;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.toml'), CONFIG);
    writeFileSync(join(dir, 'relabelled.toml'), CONFIG);
    const manifests =
      deployment('km-web', 'default', victim) +
      deployment('km-nomtbf', 'default', {
        ...victim,
        'kube-monkey/identifier': 'km-nomtbf',
        'kube-monkey/mtbf': '',
      }).replace(/"kube-monkey\/mtbf":"",?/, '') +
      deployment('km-system', 'kube-system', { ...victim, 'kube-monkey/identifier': 'km-system' });
    writeFileSync(join(dir, 'victims.yaml'), manifests);
    await c.kubectl('create', '-f', join(dir, 'victims.yaml'));
    await c.kubectl('rollout', 'status', 'deployment/km-web', '--timeout=20s');
  }, 60_000);
  afterAll(async () => c?.close());

  it(
    'plans the labelled workloads only, then deletes kill-value pods at kill time; a relabelled one is skipped',
    { timeout: cliTimeout(4, 20_000) + 20_000 },
    async () => {
      const plan = await runCli(
        ['monkey', 'plan', join(dir, 'config.toml'), '--days', '7', '--seed', '3', '--start', '2026-12-07', '--json'],
        { env: c.env },
      );
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stderr).toMatch(
        /Deployment default\/km-nomtbf because of error: .*does not have kube-monkey\/mtbf label/,
      );
      expect(plan.stderr).toMatch(/Deployment kube-system\/km-system: namespace not allowed/);
      const planned = lines(plan.stdout);
      expect(planned).toHaveLength(5); // mtbf 1: every workday of the week
      for (const p of planned) {
        expect(p).toMatchObject({ group: 'default-km-web', kind: 'pod.delete' });
        expect(p.targets).toHaveLength(2);
      }

      const before = await uids();
      expect(before).toHaveLength(3);
      const run = await runDay(join(dir, 'config.toml'), c.env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/injected pod\.delete/);
      // A deleted pod may still be listed while it terminates, and its replacement comes from the fake's
      // controller: wait (bounded) for two of the original pods to be gone and the replicas to be back.
      let gone = 0;
      await eventually(
        async () => {
          const after = await uids();
          gone = before.filter((u) => !after.includes(u)).length;
          return gone >= 2 && after.length === 3;
        },
        20_000,
        200,
      );
      expect(gone).toBe(2);

      // Planned from the manifest (enabled), relabelled in the cluster before the kill: kube-monkey skips it.
      writeFileSync(join(dir, 'web.yaml'), deployment('km-web', 'default', victim));
      await c.kubectl('label', 'deployment', 'km-web', 'kube-monkey/enabled=disabled', '--overwrite');
      const stable = await uids();
      const skipped = await runDay(join(dir, 'relabelled.toml'), c.env, '--labels', join(dir, 'web.yaml'), '--json');
      expect(skipped.code, skipped.stderr).toBe(0);
      const reasons = lines(skipped.stdout).filter((l) => l.type === 'monkey.skipped');
      expect(reasons.map((l) => l.reason)).toEqual([
        'kube-monkey: Deployment default/km-web is no longer enrolled in kube-monkey. Skipping',
      ]);
      expect(await uids()).toEqual(stable);
    },
  );
});

const docker = requireSystem('root', 'dockerd');

describe.skipIf(docker.skip)('kube-monkey labels from live containers (dockerd)', () => {
  const run = testRun();
  const identifier = `${run.id}-kmweb`;
  const enabled = [run.name('kmweb-1'), run.name('kmweb-2'), run.name('kmweb-3')];
  const outsider = run.name('kmweb-4');
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turbulence-km-docker-'));
    env = { ...process.env, TURBULENCE_HOME: join(dir, 'home'), TURBULENCE_GUARDIAN: 'off' };
    writeFileSync(join(dir, 'config.toml'), CONFIG);
    const base = { 'turbulence.test': run.id, 'kube-monkey/identifier': identifier, 'kube-monkey/mtbf': '1' };
    await startContainers(enabled, {
      ...base,
      'kube-monkey/enabled': 'enabled',
      'kube-monkey/kill-mode': 'fixed',
      'kube-monkey/kill-value': '1',
    });
    await startContainers([outsider], base);
  }, 60_000);
  afterAll(async () => {
    await removeTestContainers(run.id);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'plans and kills one opted-in container per workday; the one without kube-monkey/enabled is never touched',
    { timeout: cliTimeout(2, 15_000) },
    async () => {
      const plan = await runCli(
        [
          'monkey',
          'plan',
          join(dir, 'config.toml'),
          '--kind',
          'container.kill',
          '--days',
          '7',
          '--seed',
          '5',
          '--start',
          '2026-12-07',
          '--json',
        ],
        { env },
      );
      expect(plan.code, plan.stderr).toBe(0);
      const planned = lines(plan.stdout).filter((l) => l.group === identifier);
      expect(planned).toHaveLength(5);
      for (const p of planned) expect(enabled).toContain((p as { target?: string }).target);

      const running = async (name: string) => (await engine.getContainer(name).inspect()).State.Running;
      const r = await runCli(
        [
          'monkey',
          'run',
          join(dir, 'config.toml'),
          '--kind',
          'container.kill',
          '--seed',
          '5',
          '--start',
          '2026-12-07',
          '--days',
          '1',
          '--clock-speed',
          '30000',
          '--json',
        ],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      const injected = lines(r.stdout).filter((l) => l.type === 'monkey.injected');
      expect(injected).toHaveLength(1);
      const hit = injected[0]!.faults!.map((f) => f.target.name);
      expect(hit).toHaveLength(1);
      expect(enabled).toContain(hit[0]);
      const all = [...enabled, outsider];
      const states = await Promise.all(all.map(running));
      expect(all.filter((_, i) => !states[i])).toEqual(hit); // container.kill without restart: it stays down
    },
  );
});
