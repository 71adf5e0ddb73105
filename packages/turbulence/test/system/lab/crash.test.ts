import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turbulenceTables } from '../../../src/faults/network/nft.js';
import type { RunningLab } from '../../../src/lab/index.js';
import { run } from '../../../src/os/exec.js';
import { sleep } from '../../../src/os/signals.js';
import { requireSystem } from '../../support/system.js';
import { cli } from './helpers.js';
import { addr, probe, startNetLab } from './netlab.js';

const sys = requireSystem('root', 'ip', 'nft', 'iptables');
const CLI = join(import.meta.dirname, 'cli.ts');

describe.skipIf(sys.skip)('a runner killed while network faults are active', () => {
  let lab: RunningLab;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    lab = await startNetLab();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await cli(['recover', '--all']);
    await lab?.down();
  });

  const ns = (h: string) => lab.state.hosts.find((x) => x.name === h)?.netns as string;
  const inject = (args: string[]): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'fault', 'inject', ...args], {
      env: process.env,
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };
  const workers = async (): Promise<string> => (await run(['ip', 'netns', 'pids', ns('b')])).stdout;
  const nfqRules = async (): Promise<string> => (await run(['iptables', '-S'], { netns: ns('b') })).stdout;

  it('leaves the partition and the latency in place after SIGKILL, and `recover` removes both', async () => {
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
    let active = false;
    for (let i = 0; i < 100 && !active; i++) {
      await sleep(200);
      active = (await turbulenceTables(ns('a'))).length === 1 && (await nfqRules()).includes('NFQUEUE');
    }
    expect(active).toBe(true);
    partition.kill('SIGKILL');
    latency.kill('SIGKILL');
    await sleep(300);
    expect((await probe(lab, 'c', ['tcp', addr(lab, 'a'), 7000, 2, 400])).ok).toBe(0);
    const slow = await probe(lab, 'c', ['tcp', addr(lab, 'b'), 7000, 3, 2000]);
    expect(Math.min(...(slow.ms as unknown as number[]))).toBeGreaterThan(80);

    const recovered = await cli(['recover']);
    expect(recovered.code).toBe(0);
    expect(await turbulenceTables(ns('a'))).toEqual([]);
    expect(await nfqRules()).not.toContain('NFQUEUE');
    const pidsLeft = (await workers()).split('\n').filter(Boolean);
    expect(pidsLeft).toHaveLength(1); // only the lab's own test service
    expect((await probe(lab, 'c', ['tcp', addr(lab, 'a'), 7000, 2, 400])).ok).toBe(2);
    const fast = await probe(lab, 'c', ['tcp', addr(lab, 'b'), 7000, 3, 2000]);
    expect(Math.min(...(fast.ms as unknown as number[]))).toBeLessThan(40);
  });
});
