import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turbulenceTables } from '../../../src/faults/network/nft.js';
import type { RunningLab } from '../../../src/lab/index.js';
import { run } from '../../../src/os/exec.js';
import { sleep } from '../../../src/os/signals.js';
import { cliTimeout, runCli, spawnCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { addr, probe, startNetLab } from './netlab.js';

const sys = requireSystem('root', 'ip', 'nft', 'iptables');

describe.skipIf(sys.skip)('a runner killed while network faults are active', () => {
  let lab: RunningLab;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    lab = await startNetLab();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await runCli(['recover', '--all']);
    await lab?.down();
  });

  const ns = (h: string) => lab.state.hosts.find((x) => x.name === h)?.netns as string;
  const inject = (args: string[]): ChildProcess => {
    const { child } = spawnCli(['fault', 'inject', ...args]);
    children.push(child);
    return child;
  };
  const workers = async (): Promise<string> => (await run(['ip', 'netns', 'pids', ns('b')])).stdout;
  const nfqRules = async (): Promise<string> => (await run(['iptables', '-S'], { netns: ns('b') })).stdout;

  it(
    'leaves the partition and the latency in place after SIGKILL, and `recover` removes both',
    { timeout: cliTimeout(3, 20000) },
    async () => {
      const name = lab.state.name;
      const partition = inject(['network.partition', '-t', `lab=${name}`, '-t', 'hosts=a', '-d', '120s']);
      const latency = inject([
        'network.latency',
        '-t',
        `lab=${name}`,
        '-t',
        'hosts=b',
        '-p',
        'delay=100ms',
        '-d',
        '120s',
      ]);
      const active = await eventually(
        async () => (await turbulenceTables(ns('a'))).length === 1 && (await nfqRules()).includes('NFQUEUE'),
        20_000,
        200,
      );
      expect(active).toBe(true);
      partition.kill('SIGKILL');
      latency.kill('SIGKILL');
      await sleep(300);
      expect((await probe(lab, 'c', ['tcp', addr(lab, 'a'), 7000, 2, 400])).ok).toBe(0);
      const slow = await probe(lab, 'c', ['tcp', addr(lab, 'b'), 7000, 3, 2000]);
      expect(Math.min(...(slow.ms as unknown as number[]))).toBeGreaterThan(80);

      const recovered = await runCli(['recover']);
      expect(recovered.code).toBe(0);
      expect(await turbulenceTables(ns('a'))).toEqual([]);
      expect(await nfqRules()).not.toContain('NFQUEUE');
      const pidsLeft = (await workers()).split('\n').filter(Boolean);
      expect(pidsLeft).toHaveLength(1); // only the lab's own test service
      expect((await probe(lab, 'c', ['tcp', addr(lab, 'a'), 7000, 2, 400])).ok).toBe(2);
      const fast = await probe(lab, 'c', ['tcp', addr(lab, 'b'), 7000, 3, 2000]);
      expect(Math.min(...(fast.ms as unknown as number[]))).toBeLessThan(40);
    },
  );
});
