/**
 * The in-cluster manifests (`deploy/kubernetes/`): real kubectl accepts every object (client-side dry run against
 * the API fake, which serves discovery), the RBAC grants every permission `turbulence doctor` checks and nothing
 * destructive beyond them, and the experiment in the ConfigMap is a valid experiment.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS } from '../../src/faults/kubernetes/doctor.js';
import { faultRequestCrd } from '../../src/faults/kubernetes/fault-request.js';
import { runCli, cliTimeout } from '../support/cli.js';
import { kubectlRequirement, startCluster, type TestCluster } from './cluster.js';

const DEPLOY = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'kubernetes');
const sys = kubectlRequirement();

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const docs = () =>
  readdirSync(DEPLOY)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>),
    );

describe('deploy/kubernetes', () => {
  it('grants every permission turbulence needs, and no wildcard', () => {
    const role = docs().find(
      (d) => d.kind === 'ClusterRole' && (d.metadata as { name?: string }).name === 'turbulence-runner',
    ) as { rules: Rule[] };
    const grants = (verb: string, group: string, resource: string) =>
      role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    const missing = REQUIRED_PERMISSIONS.filter(
      (p) => !grants(p.verb, p.group, p.subresource ? `${p.resource}/${p.subresource}` : p.resource),
    );
    expect(missing).toEqual([]);
    expect(JSON.stringify(role.rules)).not.toContain('*');
  });

  it(
    'ships an experiment that validates',
    async () => {
      const cm = docs().find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
      const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'turbulence-deploy-'));
      try {
        writeFileSync(join(dir, 'experiment.yaml'), cm.data['experiment.yaml'] ?? '');
        const r = await runCli(['validate', join(dir, 'experiment.yaml')]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    cliTimeout(1),
  );

  it('ships the FaultRequest CRD the code uses, and an agent DaemonSet with hostPID and no host network', () => {
    const crd = docs().find((d) => d.kind === 'CustomResourceDefinition');
    expect(crd).toEqual(faultRequestCrd());
    const ds = docs().find((d) => d.kind === 'DaemonSet') as {
      metadata: { name: string; namespace: string };
      spec: { template: { spec: { hostPID: boolean; hostNetwork: boolean; serviceAccountName: string } } };
    };
    expect(ds.metadata).toMatchObject({ name: 'turbulence-agent', namespace: 'turbulence' });
    expect(ds.spec.template.spec).toMatchObject({ hostPID: true, hostNetwork: false });
    const agentRole = docs().find(
      (d) => d.kind === 'ClusterRole' && (d.metadata as { name?: string }).name === 'turbulence-agent',
    ) as { rules: Rule[] };
    expect(JSON.stringify(agentRole.rules)).not.toMatch(/delete|create|\*/);
  });

  describe.skipIf(sys.skip)('with kubectl', () => {
    let c: TestCluster;
    beforeAll(async () => void (c = await startCluster({ seed: 'empty', controller: false })), 30_000);
    afterAll(async () => c?.close());

    it('every object passes kubectl apply --dry-run=client', async () => {
      const out = await c.kubectl('apply', '--dry-run=client', '--validate=false', '-f', DEPLOY);
      const expected = docs().map((d) => `${String(d.kind).toLowerCase()}`);
      const lines = out.split('\n').filter((l) => l.includes('(dry run)'));
      expect(lines.length).toBe(expected.length);
      for (const kind of expected) expect(out.toLowerCase()).toContain(kind);
    });
  });
});
