/**
 * A run SIGKILLed in the middle of a drain, with a workload scaled down: `turbulence recover` (the real CLI)
 * uncordons the node and restores the recorded replica count, read back through kubectl.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { kubectlRequirement, startCluster, undoRecords, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();

const EXPERIMENT = `
version: 1.0.0
title: scale down, then drain, then wait (killed before the end)
description: the runner is SIGKILLed during the pause
method:
  - type: action
    name: scale-web-to-1
    provider: { type: fault, kind: workload.scale, target: { namespace: default, name: deployment/web }, params: { replicas: 1 }, duration: 5m }
  - type: action
    name: drain-node-2
    provider: { type: fault, kind: node.drain, target: { name: node-2, optIn: false }, duration: 5m }
    pauses: { after: 120 }
`;

describe.skipIf(sys.skip)('kubernetes crash recovery', () => {
  let c: TestCluster;
  let dir: string;
  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'turbulence-kube-recover-'));
  }, 30_000);
  afterAll(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'recover uncordons a node and restores replicas after the runner is SIGKILLed mid-run',
    async () => {
      const file = join(dir, 'experiment.yaml');
      writeFileSync(file, EXPERIMENT);
      const runner = spawnCli(['run', file, '--seed', '1'], { env: c.env, timeoutMs: cliTimeout(2) });
      const get = (...a: string[]) => c.kubectl('get', ...a);
      const cordoned = async () => (await get('node', 'node-2', '-o', 'jsonpath={.spec.unschedulable}')) === 'true';
      const replicas = async () => get('deployment', 'web', '-o', 'jsonpath={.spec.replicas}');
      try {
        expect(await eventually(cordoned, 30_000, 200)).toBe(true);
        expect(await replicas()).toBe('1');
      } finally {
        runner.child.kill('SIGKILL');
        await runner.exit;
      }
      expect(await cordoned()).toBe(true); // the faults outlive their runner
      const recover = await runCli(['recover'], { env: c.env });
      expect(recover.stderr).toBe('');
      expect(recover.code).toBe(0);
      expect(await cordoned()).toBe(false);
      expect(await replicas()).toBe('3');
      expect([...(await undoRecords(c, 'node', 'node-2')), ...(await undoRecords(c, 'deployment', 'web'))]).toEqual([]);
    },
    cliTimeout(3, 30_000),
  );
});
