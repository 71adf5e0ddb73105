/**
 * Bad input against the Kubernetes API fake: each refusal is a clear error, and nothing is left applied (no ledger
 * entry, no cordon, no pod gone). Most cases go through the FaultManager in this process (fast); the CLI cases
 * check the exit code and what the user reads, and `--dry-run` listing exactly what would be hit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import { Rng } from '../../src/core/rng.js';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { cliTimeout, runCli } from '../support/cli.js';
import { kubectlRequirement, startCluster, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();

describe.skipIf(sys.skip)('kubernetes bad input', () => {
  let c: TestCluster;
  let denied: TestCluster;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turbulence-kube-errors-'));
    [c, denied] = await Promise.all([startCluster(), startCluster({ forbid: [{ verb: 'delete', resource: 'pods' }] })]);
    await c.kubectl('label', 'node', 'node-1', 'node-2', 'turbulence.io/enabled=true');
  }, 30_000);

  afterAll(async () => {
    await Promise.all([c?.close(), denied?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Injects through a FaultManager with its own ledger; resolves to the error and the ledger left behind. */
  async function refused(kind: string, target: JsonObject, params: JsonObject = {}) {
    const ledger = new Ledger(mkdtempSync(join(dir, 'ledger-')));
    const manager = new FaultManager({ rng: new Rng(1), ledger, guardian: false });
    const error = await manager.inject({ kind, target, params }, { activity: 'test' }).then(
      () => new Error('injected'),
      (e: unknown) => e as Error,
    );
    manager.dispose();
    return { error, entries: (await ledger.list()).entries };
  }

  const webPods = async () => c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}');

  it('says when a selector matches nothing, naming the selector and namespace', async () => {
    const r = await refused('pod.delete', { namespace: 'default', selector: 'app=nope', kubeconfig: c.kubeconfig });
    expect(r.error.message).toMatch(/no pods match selector "app=nope" in namespace default/);
    expect(r.entries).toEqual([]);
  });

  it('refuses kube-system unless allowNamespaces names it', async () => {
    const target = { namespace: 'kube-system', selector: 'k8s-app=kube-proxy', kubeconfig: c.kubeconfig, optIn: false };
    const r = await refused('pod.delete', target);
    expect(r.error.message).toMatch(/refusing to act in namespace kube-system: namespace kube-system is protected/);
    const other = await refused('pod.delete', { ...target, namespace: 'default', allowNamespaces: ['staging'] });
    expect(other.error.message).toMatch(/not in allowNamespaces \(staging\)/);
  });

  it('refuses pods that did not opt in, and says how to opt in', async () => {
    await c.kubectl('run', 'lonely', '--image=busybox', '--restart=Never');
    const r = await refused('pod.delete', { namespace: 'default', name: 'lonely', kubeconfig: c.kubeconfig });
    expect(r.error.message).toMatch(
      /no pod matching the query has opted in \(default\/lonely lack turbulence\.io\/enabled=true\)/,
    );
    expect(r.entries).toEqual([]);
    expect(await c.kubectl('get', 'pod', 'lonely', '-o', 'name')).toBe('pod/lonely');
    await c.kubectl('delete', 'pod', 'lonely', '--wait=false'); // a bare pod would make a later drain refuse
  });

  it('reports a PodDisruptionBudget refusal as such, and a drain it would break changes nothing', async () => {
    const pdb = join(dir, 'pdb.yaml');
    writeFileSync(
      pdb,
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: web, namespace: default }\n' +
        'spec: { minAvailable: 3, selector: { matchLabels: { app: web } } }\n',
    );
    await c.kubectl('apply', '--validate=false', '-f', pdb);
    try {
      const before = await webPods();
      const evict = await refused('pod.evict', { namespace: 'default', selector: 'app=web', kubeconfig: c.kubeconfig });
      expect(evict.error.message).toMatch(/PodDisruptionBudget refuses the eviction of pod default\/web-/);
      expect(evict.entries).toEqual([]);
      const node = (await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].spec.nodeName}')).trim();
      await c.kubectl('label', 'node', node, 'turbulence.io/enabled=true', '--overwrite');
      const drain = await refused('node.drain', { name: node, kubeconfig: c.kubeconfig });
      expect(drain.error.message).toMatch(/not draining node .*PodDisruptionBudget default\/web allows 0 disruption/);
      expect(drain.entries).toEqual([]);
      expect(await c.kubectl('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}')).toBe('');
      expect(await webPods()).toBe(before);
    } finally {
      await c.kubectl('delete', '-f', pdb);
    }
  });

  it(
    'exits non-zero with the missing RBAC verb and resource, an unreachable cluster, or a bad kubeconfig',
    async () => {
      const unreachable = join(dir, 'unreachable');
      writeFileSync(
        unreachable,
        'apiVersion: v1\nkind: Config\nclusters: [{ name: x, cluster: { server: "https://127.0.0.1:1" } }]\n' +
          'users: [{ name: x, user: { token: t } }]\ncontexts: [{ name: x, context: { cluster: x, user: x } }]\n' +
          'current-context: x\n',
      );
      const broken = join(dir, 'broken');
      writeFileSync(broken, 'clusters: [ this is not yaml\n');
      const inject = ['fault', 'inject', 'pod.delete', '--target', 'selector=app=web', '--seed', '1'];
      const [forbidden, down, bad] = await Promise.all([
        runCli(inject, { env: denied.env }),
        runCli(inject, { env: { ...c.env, KUBECONFIG: unreachable } }),
        runCli(inject, { env: { ...c.env, KUBECONFIG: broken } }),
      ]);
      expect(forbidden.code).not.toBe(0);
      expect(forbidden.stderr).toMatch(/forbidden: cannot delete pods in namespace default/);
      expect(forbidden.stderr).toMatch(/grant the verb "delete" on "pods"/);
      expect(down.code).not.toBe(0);
      expect(down.stderr).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1/);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(new RegExp(`bad kubeconfig ${broken}`));
      expect(await denied.kubectl('get', 'pods', '-l', 'app=web', '-o', 'name')).toMatch(/(pod\/web-.*\n?){3}/);
      const list = await runCli(['fault', 'list'], { env: denied.env });
      expect(list.stdout).toMatch(/no faults in the ledger/);
    },
    cliTimeout(4),
  );

  it(
    '--dry-run lists exactly the pods that would be hit, and hits none',
    async () => {
      const before = (await webPods()).split(' ').sort();
      const r = await runCli(
        [
          'fault',
          'inject',
          'pod.delete',
          '--target',
          'namespace=default',
          '--target',
          'selector=app=web',
          '--dry-run',
          '--seed',
          '3',
        ],
        { env: c.env },
      );
      expect(r.code).toBe(0);
      const hit = [...r.stdout.matchAll(/would inject pod\.delete on pod default\/(\S+)/g)].map((m) => m[1]).sort();
      expect(hit).toEqual(before);
      expect((await webPods()).split(' ').sort()).toEqual(before);
    },
    cliTimeout(1),
  );
});
