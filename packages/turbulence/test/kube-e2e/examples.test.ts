/**
 * The Kubernetes examples (`examples/kubernetes/`) against a REAL cluster (kind, k3d, minikube, ...). Skipped with a
 * printed reason unless `TURBULENCE_E2E_KUBECONFIG` names a kubeconfig. This suite changes the cluster: it creates
 * the namespace `tb-e2e-<random>` with a Deployment `web` (3 × `registry.k8s.io/pause`, opted in), runs each example
 * there (its `namespace: default` rewritten to that namespace in a temp copy), and deletes the namespace.
 *
 *   TURBULENCE_E2E_KUBECONFIG=~/.kube/config npx vitest run packages/turbulence/test/kube-e2e
 *
 * Two examples need more and run only when asked:
 *   TURBULENCE_E2E_DRAIN_NODE=<node>  node-drain.yaml drains that node for 5 s (its pods are evicted)
 *   TURBULENCE_E2E_AGENT=1            pod-partition.yaml and pod-cpu-hog.yaml, through the agent: apply
 *                                     deploy/kubernetes/ first, with an image the nodes can pull
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, requireKubectl } from '../kube-fake/kubectl.js';
import { cliTimeout, runCli } from '../support/cli.js';

const kubeconfig = process.env.TURBULENCE_E2E_KUBECONFIG;
const sys = kubeconfig ? requireKubectl() : { skip: true, reason: 'TURBULENCE_E2E_KUBECONFIG is not set' };
if (!kubeconfig)
  console.warn(
    '[skip] real-cluster examples: set TURBULENCE_E2E_KUBECONFIG to a kubeconfig (the suite changes that cluster)',
  );
const drainNode = process.env.TURBULENCE_E2E_DRAIN_NODE;
const withAgent = process.env.TURBULENCE_E2E_AGENT === '1';
const EXAMPLES = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'kubernetes');
const ns = `tb-e2e-${randomBytes(3).toString('hex')}`;
let dir: string;

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', 'turbulence.io/enabled': 'true' } },
      spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.9' }] },
    },
  },
};

/** A copy of an example in the test namespace (and with `node-1` replaced by `node`). */
function example(file: string, node = 'node-1'): string {
  const text = readFileSync(join(EXAMPLES, file), 'utf8')
    .replaceAll('namespace: default', `namespace: ${ns}`)
    .replaceAll('node-1', node);
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

/** Runs an example with the real CLI; expects it to complete. */
async function run(path: string): Promise<void> {
  const r = await runCli(['run', path, '--seed', '1'], {
    env: { ...process.env, KUBECONFIG: kubeconfig!, TURBULENCE_GUARDIAN: 'off' },
  });
  expect(r.out).toMatch(/completed/i);
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  if (sys.skip) return;
  dir = mkdtempSync(join(tmpdir(), 'turbulence-e2e-'));
  expect((await kubectl(kubeconfig!, 'create', 'namespace', ns)).code).toBe(0);
  writeFileSync(join(dir, 'web.json'), JSON.stringify(web));
  expect((await kubectl(kubeconfig!, 'apply', '-f', join(dir, 'web.json'))).code).toBe(0);
  const ready = await kubectl(kubeconfig!, '-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=25s');
  expect(ready.stderr).toBe('');
}, 60_000);

afterAll(async () => {
  if (sys.skip) return;
  await kubectl(kubeconfig!, 'delete', 'namespace', ns, '--wait=false');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(sys.skip)('examples/kubernetes on a real cluster', () => {
  it('pod-kill: one web pod deleted, 3 ready again', () => run(example('pod-kill.yaml')), cliTimeout(1, 30_000));

  it.skipIf(!drainNode)(
    'node-drain (TURBULENCE_E2E_DRAIN_NODE)',
    () => run(example('node-drain.yaml', drainNode)),
    cliTimeout(1, 60_000),
  );

  it.skipIf(!withAgent)(
    'pod-partition and pod-cpu-hog through the agent (TURBULENCE_E2E_AGENT=1)',
    async () => {
      await run(example('pod-partition.yaml'));
      await run(example('pod-cpu-hog.yaml'));
    },
    cliTimeout(2, 120_000),
  );
});
