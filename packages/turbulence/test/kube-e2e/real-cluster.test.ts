/**
 * The same fidelity checks as `kube-fake/fidelity.test.ts`, against a REAL cluster (kind, k3d, minikube, ...),
 * read-only: what kubectl reports must equal what `@kubernetes/client-node` sees. Skipped with a printed reason
 * unless `TURBULENCE_E2E_KUBECONFIG` names a kubeconfig. Nothing in the cluster is changed.
 *
 *   TURBULENCE_E2E_KUBECONFIG=~/.kube/config npx vitest run packages/turbulence/test/kube-e2e
 */
import { readFile } from 'node:fs/promises';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1NamespaceList,
  type V1NodeList,
  type V1PodList,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, requireKubectl } from '../kube-fake/kubectl.js';

const kubeconfig = process.env.TURBULENCE_E2E_KUBECONFIG;
const sys = kubeconfig ? requireKubectl() : { skip: true, reason: 'TURBULENCE_E2E_KUBECONFIG is not set' };
if (!kubeconfig) console.warn('[skip] real-cluster suite: set TURBULENCE_E2E_KUBECONFIG to a kubeconfig to run it');

let core: CoreV1Api;
let kc: KubeConfig;

beforeAll(async () => {
  if (sys.skip || !kubeconfig) return;
  kc = new KubeConfig();
  kc.loadFromString(await readFile(kubeconfig, 'utf8'));
  core = kc.makeApiClient(CoreV1Api);
});

describe.skipIf(sys.skip)('kubectl and client-node agree on a real cluster (read-only)', () => {
  it('get nodes -o json equals what client-node lists', async () => {
    const viaKubectl = await kubectlJson<V1NodeList>(kubeconfig!, 'get', 'nodes');
    const viaClient = await core.listNode();
    const names = (l: V1NodeList): string[] => l.items.map((n) => n.metadata!.name!).sort();
    expect(names(viaKubectl)).toEqual(names(viaClient));
    expect(names(viaClient).length).toBeGreaterThan(0);
  });

  it('get namespaces -o json equals what client-node lists', async () => {
    const viaKubectl = await kubectlJson<V1NamespaceList>(kubeconfig!, 'get', 'namespaces');
    const viaClient = await core.listNamespace();
    const uids = (l: V1NamespaceList): string[] => l.items.map((n) => n.metadata!.uid!).sort();
    expect(uids(viaKubectl)).toEqual(uids(viaClient));
  });

  it('a label selector selects the same pods in kube-system', async () => {
    // Pods come and go on a live cluster: compare names of a selection that is usually stable.
    const viaClient = await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app' });
    const viaKubectl = await kubectlJson<V1PodList>(kubeconfig!, 'get', 'pods', '-n', 'kube-system', '-l', 'k8s-app');
    const names = (l: V1PodList): string[] => l.items.map((p) => p.metadata!.name!).sort();
    expect(names(viaKubectl)).toEqual(names(viaClient));
  });

  it('field selectors: pods on the first node', async () => {
    const node = (await core.listNode()).items[0]!.metadata!.name!;
    const viaClient = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
    const viaKubectl = await kubectlJson<V1PodList>(
      kubeconfig!,
      'get',
      'pods',
      '-A',
      '--field-selector',
      `spec.nodeName=${node}`,
    );
    const uids = (l: V1PodList): string[] => l.items.map((p) => p.metadata!.uid!).sort();
    expect(uids(viaKubectl)).toEqual(uids(viaClient));
    expect(viaClient.items.every((p) => p.spec?.nodeName === node)).toBe(true);
  });

  it('auth can-i agrees with a SelfSubjectAccessReview', async () => {
    const authz = kc.makeApiClient(AuthorizationV1Api);
    for (const [verb, resource] of [
      ['list', 'pods'],
      ['create', 'pods/eviction'],
      ['patch', 'nodes'],
    ] as const) {
      const [res, sub] = resource.split('/');
      const review = await authz.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: { verb, resource: res!, ...(sub ? { subresource: sub } : {}), namespace: 'default' },
          },
        },
      });
      const r = await kubectl(kubeconfig!, 'auth', 'can-i', verb, resource, '-n', 'default');
      expect(r.stdout.trim().startsWith(review.status!.allowed ? 'yes' : 'no'), `${verb} ${resource}`).toBe(true);
    }
  });

  it('a missing pod is a 404 Status for both', async () => {
    const r = await kubectl(kubeconfig!, 'get', 'pod', 'turbulence-e2e-no-such-pod', '-n', 'default');
    expect(r.stderr).toContain('NotFound');
    await expect(
      core.readNamespacedPod({ name: 'turbulence-e2e-no-such-pod', namespace: 'default' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });
});
