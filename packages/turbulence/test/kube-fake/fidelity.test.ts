/**
 * Fidelity of the Kubernetes API fake, judged by the real `kubectl`: each command runs against the fake with
 * `--kubeconfig`, must succeed (or fail the way it fails on a cluster), and what kubectl reports must equal what
 * `@kubernetes/client-node` sees on the same fake. If kubectl rejects an answer, the fake is wrong.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  ApiextensionsV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type V1NodeList,
  type V1Pod,
  type V1PodList,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startKubeFake, type KubeFake } from './index.js';
import { kubectl, kubectlJson, requireKubectl, spawnKubectl } from './kubectl.js';

const sys = requireKubectl();

let fake: KubeFake;
let dir: string;
let kubeconfig: string;
let core: CoreV1Api;
let apps: AppsV1Api;

const summary = (pods: { items: V1Pod[] }): string[] =>
  pods.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name} ${p.spec?.nodeName} ${p.status?.phase}`).sort();

async function webPods(): Promise<V1Pod[]> {
  const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}

const allRunning = async (n: number): Promise<boolean> => {
  const pods = await webPods();
  return pods.length === n && pods.every((p) => p.status?.phase === 'Running');
};

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(kubeconfig, ...args);
  expect(r.stderr, `kubectl ${args.join(' ')}`).not.toMatch(/error/i);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  if (sys.skip) return;
  fake = await startKubeFake({ forbid: [{ verb: 'delete', resource: 'nodes' }] });
  dir = await mkdtemp(join(tmpdir(), 'kube-fake-fidelity-'));
  kubeconfig = join(dir, 'kubeconfig');
  await fake.writeKubeconfig(kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(sys.skip)('kubectl against the kube-fake', () => {
  it('get pods -l app=web -o json equals what client-node lists', async () => {
    const viaKubectl = await kubectlJson<V1PodList>(kubeconfig, 'get', 'pods', '-l', 'app=web');
    const viaClient = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
    expect(viaKubectl.items).toHaveLength(3);
    expect(summary(viaKubectl)).toEqual(summary(viaClient));
    expect(viaKubectl.items.map((p) => p.metadata?.uid).sort()).toEqual(
      viaClient.items.map((p) => p.metadata?.uid).sort(),
    );
    const table = await ok('get', 'pods', '-l', 'app=web');
    for (const p of viaClient.items) expect(table).toMatch(new RegExp(`${p.metadata!.name}\\s+1/1\\s+Running`));
  });

  it('get nodes -o json equals what client-node lists', async () => {
    const viaKubectl = await kubectlJson<V1NodeList>(kubeconfig, 'get', 'nodes');
    const viaClient = await core.listNode();
    const view = (l: V1NodeList): unknown =>
      l.items.map((n) => [
        n.metadata?.name,
        n.metadata?.resourceVersion,
        n.status?.conditions?.find((c) => c.type === 'Ready')?.status,
      ]);
    expect(view(viaKubectl)).toEqual(view(viaClient));
    expect(view(viaKubectl)).toEqual([
      ['node-1', expect.any(String), 'True'],
      ['node-2', expect.any(String), 'True'],
      ['node-3', expect.any(String), 'True'],
    ]);
  });

  it('delete pod: kubectl waits for it to go, and the controller brings a replacement', async () => {
    const [victim] = await webPods();
    const name = victim!.metadata!.name!;
    expect(await ok('delete', 'pod', name)).toContain(`pod "${name}" deleted`);
    await expect(core.readNamespacedPod({ name, namespace: 'default' })).rejects.toMatchObject({ code: 404 });
    expect(await eventually(() => allRunning(3), 5000)).toBe(true);
    expect((await webPods()).map((p) => p.metadata?.name)).not.toContain(name);
  });

  it('scale deployment web --replicas=5 then back to 3', async () => {
    expect(await ok('scale', 'deployment', 'web', '--replicas=5')).toContain('deployment.apps/web scaled');
    expect(await eventually(() => allRunning(5), 5000)).toBe(true);
    const dep = await kubectlJson<{ spec: { replicas: number }; status: { readyReplicas: number } }>(
      kubeconfig,
      'get',
      'deployment',
      'web',
    );
    const viaClient = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(dep.spec.replicas).toBe(5);
    expect(viaClient.spec?.replicas).toBe(5);
    await ok('scale', 'deployment', 'web', '--replicas=3');
    expect(await eventually(() => allRunning(3), 5000)).toBe(true);
    expect(
      await eventually(
        async () =>
          (await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status?.readyReplicas === 3,
        3000,
      ),
    ).toBe(true);
  });

  it('cordon and uncordon node-1', async () => {
    expect(await ok('cordon', 'node-1')).toContain('node/node-1 cordoned');
    const n1 = await core.readNode({ name: 'node-1' });
    expect(n1.spec?.unschedulable).toBe(true);
    expect(
      await eventually(
        async () =>
          (await core.readNode({ name: 'node-1' })).spec?.taints?.some(
            (t) => t.key === 'node.kubernetes.io/unschedulable',
          ) === true,
      ),
    ).toBe(true);
    expect(await ok('get', 'nodes')).toMatch(/node-1\s+Ready,SchedulingDisabled/);
    expect(await ok('uncordon', 'node-1')).toContain('node/node-1 uncordoned');
    expect((await core.readNode({ name: 'node-1' })).spec?.unschedulable).toBeFalsy();
  });

  it('drain node-2 --ignore-daemonsets --delete-emptydir-data respects the budget and reschedules', async () => {
    const policy = new KubeConfig();
    policy.loadFromString(fake.kubeconfig);
    const pdbs = policy.makeApiClient(PolicyV1Api);
    await pdbs.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
    });
    // When two web pods sit on node-2 the second eviction gets a 429 first and kubectl retries after 5 s.
    const drain = await kubectl(
      kubeconfig,
      'drain',
      'node-2',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=20s',
    );
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node/node-2 drained');
    expect(drain.stderr.replace(/.*disruption budget.*\n/g, '')).not.toMatch(/error/i);
    const onNode2 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-2' });
    const left = onNode2.items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.metadata?.labels?.app ?? p.metadata?.labels?.['k8s-app']);
    expect(left).toEqual(['kube-proxy']);
    expect(await eventually(() => allRunning(3), 5000)).toBe(true);
    expect((await webPods()).every((p) => p.spec?.nodeName !== 'node-2')).toBe(true);

    // A budget that allows no disruption: drain cannot finish, the pod stays.
    await pdbs.patchNamespacedPodDisruptionBudget(
      { name: 'web', namespace: 'default', body: { spec: { minAvailable: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const blocked = await kubectl(kubeconfig, 'drain', 'node-3', '--ignore-daemonsets', '--timeout=2s');
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toMatch(/disruption budget/);
    expect(await eventually(() => allRunning(3), 3000)).toBe(true);
    await ok('uncordon', 'node-2');
    await ok('uncordon', 'node-3');
    await pdbs.deleteNamespacedPodDisruptionBudget({ name: 'web', namespace: 'default' });
  });

  it('get pods -w streams the changes client-node makes', async () => {
    const watch = spawnKubectl(kubeconfig, 'get', 'pods', '-l', 'app=web', '-w', '--no-headers');
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      expect(await eventually(() => out.split('\n').filter(Boolean).length >= 3, 5000)).toBe(true);
      const [victim] = await webPods();
      await core.deleteNamespacedPod({ name: victim!.metadata!.name!, namespace: 'default', gracePeriodSeconds: 0 });
      expect(await eventually(() => out.split('\n').filter(Boolean).length >= 5, 5000)).toBe(true);
      expect(out).toContain(victim!.metadata!.name!);
    } finally {
      watch.kill('SIGTERM');
    }
    expect(await eventually(() => allRunning(3), 5000)).toBe(true);
  });

  it('apply --dry-run=server, create and apply a CRD and a custom object', async () => {
    const crd = join(dir, 'crd.json');
    await writeFile(
      crd,
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              subresources: { status: {} },
            },
          ],
        },
      }),
    );
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig);
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    expect(await ok('apply', '--dry-run=server', '-f', crd)).toContain('created (server dry run)');
    await expect(ext.readCustomResourceDefinition({ name: 'widgets.example.com' })).rejects.toMatchObject({
      code: 404,
    });
    expect(await ok('create', '-f', crd)).toContain('widgets.example.com created');
    const established = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    expect(established.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

    const widget = join(dir, 'widget.json');
    await writeFile(
      widget,
      JSON.stringify({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w1', labels: { k: 'v' } },
        spec: { size: 2 },
      }),
    );
    expect(await ok('apply', '-f', widget)).toContain('widget.example.com/w1 created');
    const viaKubectl = await kubectlJson<{ spec: unknown; metadata: { uid: string } }>(kubeconfig, 'get', 'wd', 'w1');
    const custom = kc.makeApiClient(CustomObjectsApi);
    const viaClient = (await custom.getNamespacedCustomObject({
      group: 'example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      name: 'w1',
    })) as { spec: unknown; metadata: { uid: string } };
    expect(viaKubectl.spec).toEqual({ size: 2 });
    expect(viaKubectl.metadata.uid).toBe(viaClient.metadata.uid);
    expect(await ok('get', 'widgets', '-l', 'k=v')).toMatch(/^w1\s/m);
  });

  it('a PersistentVolumeClaim: apply, get (json and table), a 422 without accessModes, delete', async () => {
    const pvc = join(dir, 'pvc.json');
    const claim = (spec: object, name = 'data') =>
      JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec });
    await writeFile(
      pvc,
      claim({
        storageClassName: 'standard',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      }),
    );
    expect(await ok('apply', '-f', pvc)).toContain('persistentvolumeclaim/data created');
    const viaKubectl = await kubectlJson<{ metadata: { uid: string }; spec: object; status: object }>(
      kubeconfig,
      'get',
      'pvc',
      'data',
    );
    const viaClient = await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' });
    expect(viaKubectl.metadata.uid).toBe(viaClient.metadata?.uid);
    expect(viaClient.spec?.volumeMode).toBe('Filesystem');
    expect(viaClient.status?.phase).toBe('Pending');
    expect(await ok('get', 'persistentvolumeclaims')).toMatch(/^data\s+Pending\s+standard\s/m);
    await writeFile(pvc.replace('pvc', 'bad'), claim({ resources: { requests: { storage: '1Gi' } } }, 'bad'));
    const bad = await kubectl(kubeconfig, 'create', '-f', pvc.replace('pvc', 'bad'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/spec\.accessModes: Required value/);
    expect(await ok('delete', 'pvc', 'data')).toContain('persistentvolumeclaim "data" deleted');
    await expect(
      core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  it('auth can-i and a forbidden delete agree with the forbid rules', async () => {
    const no = await kubectl(kubeconfig, 'auth', 'can-i', 'delete', 'nodes');
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    const yes = await kubectl(kubeconfig, 'auth', 'can-i', 'delete', 'pods');
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const denied = await kubectl(kubeconfig, 'delete', 'node', 'node-3');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Error from server (Forbidden): nodes "node-3" is forbidden');
  });

  it(
    'the npm run kube-fake entry (main.ts) writes a 0600 kubeconfig, serves kubectl, stops on SIGTERM',
    { timeout: 60_000 },
    async () => {
      const file = join(dir, 'by-hand.kubeconfig');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'main.ts'), '--kubeconfig', file],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        expect(
          await eventually(() => out.includes('kube-fake listening on https://127.0.0.1:'), 40_000, 100),
          out,
        ).toBe(true);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        const nodes = await kubectl(file, 'get', 'nodes', '-o', 'name');
        expect(nodes.stdout.trim().split('\n')).toEqual(['node/node-1', 'node/node-2', 'node/node-3']);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    },
  );
});
