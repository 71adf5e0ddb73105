/**
 * The fake's API semantics, seen through the real `@kubernetes/client-node`: selectors, pagination, Status
 * errors, conflicts, the three patch formats, watches, auth and RBAC, evictions and budgets, custom resources, and
 * the controller's recovery. One fake for the file.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  ApiextensionsV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  Watch,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startKubeFake, type KubeFake } from './index.js';

let fake: KubeFake;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

/** The Status body of a failed call, with its HTTP code. */
async function failure(p: Promise<unknown>): Promise<{
  code: number;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ field: string; reason: string }> };
}> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { ...(body as object), code: err.code ?? 0 };
  }
  throw new Error('the call succeeded');
}

const names = (items: Array<{ metadata?: { name?: string } }>): string[] => items.map((i) => i.metadata!.name!).sort();
const patchAs = (type: string) => setHeaderOptions('Content-Type', type);

beforeAll(async () => {
  fake = await startKubeFake({
    forbid: [
      { verb: 'delete', resource: 'nodes' },
      { verb: 'create', group: '', resource: 'pods/eviction', namespace: 'locked' },
    ],
  });
  kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  for (const [name, tier, track] of [
    ['a', 'front', 'stable'],
    ['b', 'back', 'stable'],
    ['c', 'front', undefined],
  ] as const) {
    fake.cluster.put('pods', {
      metadata: {
        name: `sel-${name}`,
        namespace: 'default',
        labels: { group: 'sel', tier, ...(track ? { track } : {}) },
      },
      spec: { containers: [{ name: 'x', image: 'busybox' }], nodeName: name === 'b' ? 'node-2' : 'node-1' },
    });
  }
});

afterAll(async () => {
  await fake?.close();
});

describe('kube-fake through @kubernetes/client-node', () => {
  it('serves the seeded cluster: three Ready nodes and three Running web pods', async () => {
    const nodes = await core.listNode();
    expect(names(nodes.items)).toEqual(['node-1', 'node-2', 'node-3']);
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.status?.phase).toBe('Running');
      expect(p.metadata?.labels?.['turbulence.io/enabled']).toBe('true');
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    }
    expect(new Set(pods.items.map((p) => p.spec?.nodeName)).size).toBe(3);
  });

  it('selects by label: =, !=, in, notin, exists, !exists', async () => {
    const sel = async (s: string): Promise<string[]> =>
      names((await core.listNamespacedPod({ namespace: 'default', labelSelector: `group=sel,${s}` })).items);
    expect(await sel('tier=front')).toEqual(['sel-a', 'sel-c']);
    expect(await sel('tier!=front')).toEqual(['sel-b']);
    expect(await sel('tier in (front,back)')).toEqual(['sel-a', 'sel-b', 'sel-c']);
    expect(await sel('track notin (stable)')).toEqual(['sel-c']);
    expect(await sel('track')).toEqual(['sel-a', 'sel-b']);
    expect(await sel('!track')).toEqual(['sel-c']);
    expect((await failure(core.listNamespacedPod({ namespace: 'default', labelSelector: 'a in b' }))).code).toBe(400);
  });

  it('selects by field across namespaces and refuses unsupported fields', async () => {
    const onNode2 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-2' });
    expect(onNode2.items.every((p) => p.spec?.nodeName === 'node-2')).toBe(true);
    expect(names(onNode2.items)).toContain('sel-b');
    const named = await core.listPodForAllNamespaces({
      fieldSelector: 'metadata.name=sel-a,metadata.namespace=default',
    });
    expect(names(named.items)).toEqual(['sel-a']);
    const bad = await failure(core.listPodForAllNamespaces({ fieldSelector: 'spec.image=x' }));
    expect(bad).toMatchObject({ code: 400, message: 'field label not supported: spec.image' });
  });

  it('pages with limit and continue', async () => {
    const all = await core.listPodForAllNamespaces();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 2, ...(token ? { _continue: token } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`));
      token = page.metadata?._continue;
    } while (token);
    expect(seen).toEqual(all.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`));
  });

  it('answers 404, 409 AlreadyExists and 422 Invalid as Status objects', async () => {
    expect(await failure(core.readNamespacedPod({ name: 'nope', namespace: 'default' }))).toMatchObject({
      code: 404,
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    const body = { metadata: { name: 'sel-a' }, spec: { containers: [{ name: 'x', image: 'busybox' }] } };
    expect(await failure(core.createNamespacedPod({ namespace: 'default', body }))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    const bad = { metadata: { name: 'Bad_Name' }, spec: { containers: [] } } as V1Pod;
    const invalid = await failure(core.createNamespacedPod({ namespace: 'default', body: bad }));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(invalid.details?.causes?.map((c) => c.field)).toEqual(['metadata.name', 'spec.containers']);
    expect(await failure(core.createNamespacedPod({ namespace: 'nowhere', body }))).toMatchObject({ code: 404 });
  });

  it('bumps resourceVersion on every write and refuses a stale update with 409 Conflict', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const first = Number(cm.metadata!.resourceVersion);
    const updated = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'default',
      body: { ...cm, data: { a: '2' } },
    });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(first);
    const stale = await failure(
      core.replaceNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: { ...cm, data: { a: '3' } } }),
    );
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect((await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'default' })).data).toEqual({ a: '2' });
  });

  it('patches: merge (labels), strategic (node taints merged by key), JSON patch (test + replace)', async () => {
    await core.patchNamespacedPod(
      { name: 'sel-a', namespace: 'default', body: { metadata: { labels: { extra: 'yes', track: null } } } },
      patchAs(PatchStrategy.MergePatch),
    );
    const a = await core.readNamespacedPod({ name: 'sel-a', namespace: 'default' });
    expect(a.metadata?.labels).toMatchObject({ extra: 'yes', tier: 'front' });
    expect(a.metadata?.labels?.track).toBeUndefined();

    const taint = (key: string) => ({ key, value: 'x', effect: 'NoSchedule' });
    await core.patchNode(
      { name: 'node-3', body: { spec: { taints: [taint('one')] } } },
      patchAs(PatchStrategy.StrategicMergePatch),
    );
    await core.patchNode(
      { name: 'node-3', body: { spec: { taints: [taint('two')] } } },
      patchAs(PatchStrategy.StrategicMergePatch),
    );
    const n3 = await core.readNode({ name: 'node-3' });
    expect(n3.spec?.taints?.map((t) => t.key)).toEqual(['one', 'two']);
    await core.patchNode(
      {
        name: 'node-3',
        body: {
          spec: {
            taints: [
              { key: 'one', $patch: 'delete' },
              { key: 'two', $patch: 'delete' },
            ],
          },
        },
      },
      patchAs(PatchStrategy.StrategicMergePatch),
    );
    expect((await core.readNode({ name: 'node-3' })).spec?.taints ?? []).toEqual([]);

    const ops = [
      { op: 'test', path: '/metadata/labels/tier', value: 'front' },
      { op: 'replace', path: '/metadata/labels/tier', value: 'edge' },
    ];
    await core.patchNamespacedPod({ name: 'sel-a', namespace: 'default', body: ops }, patchAs(PatchStrategy.JsonPatch));
    expect((await core.readNamespacedPod({ name: 'sel-a', namespace: 'default' })).metadata?.labels?.tier).toBe('edge');
    const failed = await failure(
      core.patchNamespacedPod({ name: 'sel-a', namespace: 'default', body: ops }, patchAs(PatchStrategy.JsonPatch)),
    );
    expect(failed.code).toBe(422);
  });

  it('scales through the scale subresource and the controller follows', { timeout: 60_000 }, async () => {
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'default', body: { spec: { replicas: 5 } } },
      patchAs(PatchStrategy.MergePatch),
    );
    const running = async (n: number): Promise<boolean> => {
      const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
      return pods.items.length === n && pods.items.every((p) => p.status?.phase === 'Running');
    };
    expect(await eventually(() => running(5), 20_000)).toBe(true);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
    expect(scale).toMatchObject({ spec: { replicas: 5 }, status: { selector: 'app=web' } });
    // Without a resourceVersion the replace is unconditional, as on a real API server: the controller keeps
    // writing the Deployment's status meanwhile, so the version just read may already be stale (409).
    await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'default',
      body: { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: 3 } },
    });
    expect(await eventually(() => running(3), 20_000)).toBe(true);
  });

  it('watches from a resourceVersion: ADDED, MODIFIED, DELETED; 410 when too old', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: string[] = [];
    const watch = new Watch(kc);
    const ctl = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'w=1' },
      (type, obj: { metadata: { name: string } }) => events.push(`${type} ${obj.metadata.name}`),
      () => undefined,
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w', labels: { w: '1' } } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'w', namespace: 'default', body: { data: { k: 'v' } } },
      patchAs(PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'w', namespace: 'default' });
    expect(await eventually(() => events.length >= 3, 3000)).toBe(true);
    ctl.abort();
    expect(events).toEqual(['ADDED w', 'MODIFIED w', 'DELETED w']);

    const errors: Array<[string, number | undefined]> = [];
    const expired = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: '-5' },
      (type, obj: { code?: number }) => errors.push([type, obj.code]),
      () => undefined,
    );
    expect(await eventually(() => errors.length > 0, 3000)).toBe(true);
    expect(errors).toEqual([['ERROR', 410]]);
    expired.abort();
  });

  it('refuses requests without the token (401) and denied verbs (403), consistently with access reviews', async () => {
    const anon = new KubeConfig();
    anon.loadFromString(fake.kubeconfig.replace(fake.token, 'wrong-token'));
    expect((await failure(anon.makeApiClient(CoreV1Api).listNode())).code).toBe(401);

    const denied = await failure(core.deleteNode({ name: 'node-1' }));
    expect(denied).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(denied.message).toBe(
      'nodes "node-1" is forbidden: User "kube-fake:tester" cannot delete resource "nodes" in API group "" at the cluster scope',
    );
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string, subresource?: string, namespace?: string): Promise<boolean> =>
      (
        await authz.createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                verb,
                resource,
                ...(subresource ? { subresource } : {}),
                ...(namespace ? { namespace } : {}),
              },
            },
          },
        })
      ).status!.allowed;
    expect(await can('delete', 'nodes')).toBe(false);
    expect(await can('get', 'nodes')).toBe(true);
    expect(await can('create', 'pods', 'eviction', 'locked')).toBe(false);
    expect(await can('create', 'pods', 'eviction', 'default')).toBe(true);
  });

  it(
    'evicts unless a PodDisruptionBudget forbids it (429), and the pod comes back elsewhere',
    { timeout: 60_000 },
    async () => {
      const policy = kc.makeApiClient(PolicyV1Api);
      // Exactly the three web pods, none terminating: what the budget below is about.
      const settled = async (): Promise<boolean> => {
        const now = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
        return (
          now.items.length === 3 &&
          now.items.every((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running')
        );
      };
      expect(await eventually(settled, 20_000)).toBe(true);
      await policy.createNamespacedPodDisruptionBudget({
        namespace: 'default',
        body: { metadata: { name: 'web' }, spec: { minAvailable: 3, selector: { matchLabels: { app: 'web' } } } },
      });
      const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
      const victim = pods.items[0]!.metadata!.name!;
      const eviction = { metadata: { name: victim, namespace: 'default' } };
      const refused = await failure(
        core.createNamespacedPodEviction({ name: victim, namespace: 'default', body: eviction }),
      );
      expect(refused).toMatchObject({ code: 429, reason: 'TooManyRequests' });
      expect(refused.details?.causes?.[0]?.reason).toBe('DisruptionBudget');

      await policy.patchNamespacedPodDisruptionBudget(
        { name: 'web', namespace: 'default', body: { spec: { minAvailable: 2 } } },
        patchAs(PatchStrategy.MergePatch),
      );
      await core.createNamespacedPodEviction({ name: victim, namespace: 'default', body: eviction });
      const replaced = async (): Promise<boolean> => {
        const now = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
        const live = now.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
        return live.length === 3 && !live.some((p) => p.metadata?.name === victim);
      };
      expect(await eventually(replaced, 20_000)).toBe(true);
      await policy.deleteNamespacedPodDisruptionBudget({ name: 'web', namespace: 'default' });
    },
  );

  it('serves custom resources once their CustomResourceDefinition exists, with a status subresource', async () => {
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
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
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
              subresources: { status: {} },
            },
          ],
        },
      },
    });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const g = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
    await custom.createNamespacedCustomObject({
      ...g,
      body: {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w1', labels: { k: 'v' } },
        spec: { size: 1 },
        status: { ok: true },
      },
    });
    const w1 = (await custom.getNamespacedCustomObject({ ...g, name: 'w1' })) as { status?: unknown; spec: unknown };
    expect(w1.spec).toEqual({ size: 1 });
    expect(w1.status).toBeUndefined(); // status is written through the subresource only
    await custom.patchNamespacedCustomObjectStatus(
      { ...g, name: 'w1', body: { status: { ok: true } } },
      patchAs(PatchStrategy.MergePatch),
    );
    const listed = (await custom.listNamespacedCustomObject({ ...g, labelSelector: 'k=v' })) as {
      items: Array<{ status: unknown }>;
    };
    expect(listed.items.map((i) => i.status)).toEqual([{ ok: true }]);
    await ext.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
    expect((await failure(custom.listNamespacedCustomObject(g))).code).toBe(404);
  });

  it(
    'deletes with a grace period (Terminating first) and the controller brings a replacement',
    { timeout: 60_000 },
    async () => {
      // Only a scheduled pod goes through Terminating (an unscheduled one is deleted at once, as in Kubernetes).
      const running = async (): Promise<V1Pod[]> =>
        (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items.filter(
          (p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp && p.status?.phase === 'Running',
        );
      expect(await eventually(async () => (await running()).length === 3, 20_000)).toBe(true);
      const victim = (await running())[0]!.metadata!.name!;
      const terminating = await core.deleteNamespacedPod({
        name: victim,
        namespace: 'default',
        gracePeriodSeconds: 30,
      });
      expect(terminating.metadata?.deletionTimestamp).toBeDefined();
      const back = async (): Promise<boolean> => {
        const now = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
        return (
          now.items.length === 3 &&
          !now.items.some((p) => p.metadata?.name === victim) &&
          now.items.every((p) => p.status?.phase === 'Running')
        );
      };
      expect(await eventually(back, 20_000)).toBe(true);
    },
  );
});
