/**
 * `turbulence doctor`'s Kubernetes section end to end against the Kubernetes API fake: the real CLI reports the
 * kubeconfig, that the API server answers, one SelfSubjectAccessReview per permission the kinds need (the fake
 * denies one, `create pods/exec`, and doctor must say so), and the agent DaemonSet with its ready count. Then
 * in-process: no agent installed, and an API server that does not answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS, kubernetesFacts, type KubeDoctorLine } from '../../src/faults/kubernetes/doctor.js';
import { startKubeFake, type KubeFake } from '../kube-fake/index.js';
import { CLI_COMMAND_MS, runCli } from '../support/cli.js';

let fake: KubeFake;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'turbulence-doctor-'));
  fake = await startKubeFake({
    seed: 'default',
    controller: false,
    forbid: [{ verb: 'create', resource: 'pods/exec' }],
  });
  kubeconfig = join(dir, 'kubeconfig');
  await fake.writeKubeconfig(kubeconfig);
  fake.cluster.put('namespaces', { metadata: { name: 'turbulence' } });
  fake.cluster.put('daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'turbulence-agent', namespace: 'turbulence', labels: { app: 'turbulence-agent' } },
    spec: {
      selector: { matchLabels: { app: 'turbulence-agent' } },
      template: { metadata: { labels: { app: 'turbulence-agent' } }, spec: { containers: [] } },
    },
    status: { desiredNumberScheduled: 3, numberReady: 2, currentNumberScheduled: 3, numberMisscheduled: 0 },
  });
}, 30_000);

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (lines: KubeDoctorLine[], name: string) => lines.find((l) => l.name === name)?.result;

describe("turbulence doctor's Kubernetes section (against the API fake)", () => {
  it(
    'reports reachability, every permission (a denied one named), and the agent DaemonSet',
    async () => {
      const r = await runCli(['doctor', '--json'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      expect(r.stderr).toBe('');
      const { kubernetes } = JSON.parse(r.stdout) as { kubernetes: KubeDoctorLine[] };
      expect(line(kubernetes, 'kubeconfig')).toMatchObject({ ok: true, detail: expect.stringContaining(kubeconfig) });
      expect(line(kubernetes, 'API server')).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/https:\/\/127\.0\.0\.1:\d+ \(Kubernetes v/),
      });
      const may = kubernetes.filter((l) => l.name.startsWith('may '));
      expect(may).toHaveLength(REQUIRED_PERMISSIONS.length);
      const denied = may.filter((l) => !l.result.ok);
      expect(denied.map((l) => l.name)).toEqual(['may create pods/exec']);
      expect(denied[0]!.result).toMatchObject({
        reason: expect.stringMatching(/denied.*pod.container-kill.*rbac\.yaml/),
      });
      expect(line(kubernetes, 'agent DaemonSet')).toMatchObject({
        ok: true,
        detail: 'turbulence/turbulence-agent: 2/3 ready',
      });
    },
    2 * CLI_COMMAND_MS,
  );

  it('says when no agent is installed, and when the API server does not answer', async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    try {
      fake.cluster.delete('daemonsets', 'turbulence', 'turbulence-agent');
      const facts = await kubernetesFacts();
      expect(line(facts, 'agent DaemonSet')).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/no DaemonSet turbulence-agent in namespace turbulence/),
      });
      await fake.close();
      const down = await kubernetesFacts();
      expect(line(down, 'API server')).toMatchObject({ ok: false });
      expect(down.some((l) => l.name.startsWith('may '))).toBe(false); // nothing asked of a server that is not there
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  }, 30_000);
});
