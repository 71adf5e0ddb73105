/**
 * The Kubernetes examples run against the Kubernetes API fake and hold their steady state: a killed pod is
 * replaced, a drained node's pods are rescheduled and the node is uncordoned at the end. Effects read by kubectl.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../../packages/turbulence/test/support/cli.js';
import {
  kubectlRequirement,
  startCluster,
  type TestCluster,
} from '../../packages/turbulence/test/kubernetes/cluster.js';

const sys = kubectlRequirement();
const here = import.meta.dirname;

describe.skipIf(sys.skip)('examples/kubernetes', () => {
  let c: TestCluster;
  beforeAll(async () => void (c = await startCluster()), 30_000);
  afterAll(async () => c?.close());

  it(
    'pod-kill: one web pod is replaced and 3 are ready again; node-drain: web stays available, node-1 uncordoned',
    async () => {
      const before = await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}');
      const [kill, drain] = [
        await runCli(['run', join(here, 'pod-kill.yaml'), '--seed', '1'], { env: c.env }),
        await runCli(['run', join(here, 'node-drain.yaml'), '--seed', '1'], { env: c.env }),
      ];
      expect(kill.out).toMatch(/completed/i);
      expect(kill.code).toBe(0);
      const after = await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}');
      expect(after.split(' ').filter((u) => !before.split(' ').includes(u))).toHaveLength(1);
      expect(drain.code).toBe(0);
      expect(await c.kubectl('get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}')).toBe('');
      expect(
        await c.kubectl('get', 'pods', '-l', 'app=web', '--field-selector', 'spec.nodeName=node-1', '-o', 'name'),
      ).toBe('');
    },
    cliTimeout(2, 15_000),
  );

  it(
    'pod-partition and pod-cpu-hog validate (they need the agent on a real node: the fake runs no containers)',
    async () => {
      for (const file of ['pod-partition.yaml', 'pod-cpu-hog.yaml']) {
        const r = await runCli(['validate', join(here, file)], { env: c.env });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    },
    cliTimeout(2),
  );
});
