/**
 * Network faults with the guardian and side by side (issue 14 §1-2), in a three-host lab: a SIGKILLed
 * `turbulence fault inject network.* -d 3s` leaves nothing after 3 s with no `recover`; two faults on one host
 * each revert only their own objects, or the second is refused when the device has room for one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { turbulenceTables } from '../../../src/faults/network/nft.js';
import type { RunningLab } from '../../../src/lab/index.js';
import { run } from '../../../src/os/exec.js';
import { cliProcesses, runCli, type RunningCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { startNetLab } from '../lab/netlab.js';
import { ledgerIds as ids, objectNameOf as nameOf } from './helpers.js';
const sys = requireSystem('root', 'ip', 'nft', 'tc', 'iptables');

describe.skipIf(sys.skip)('network faults: guardian and isolation (CLI, lab)', { timeout: 180_000 }, () => {
  let lab: RunningLab;
  const cli = cliProcesses();
  const inject = (kind: string, host: string, params: string[], duration: string): RunningCli =>
    cli.start([
      'fault',
      'inject',
      kind,
      '-t',
      `lab=${lab.state.name}`,
      '-t',
      `hosts=${host}`,
      ...params,
      '-d',
      duration,
    ]);
  const ns = (h: string) => lab.state.hosts.find((x) => x.name === h)?.netns as string;
  const tables = (h: string) => turbulenceTables(ns(h));
  const nfqChains = async (h: string): Promise<string[]> =>
    (await run(['iptables', '-S'], { netns: ns(h) })).stdout.split('\n').filter((l) => /^-N TBL/.test(l));
  const rootQdisc = async (h: string): Promise<string> =>
    (await run(['tc', 'qdisc', 'show', 'dev', 'eth0', 'root'], { netns: ns(h) })).stdout;

  beforeAll(async () => {
    lab = await startNetLab(); // sets a temporary TURBULENCE_HOME
  });
  afterEach(async () => {
    cli.killAll();
    await runCli(['recover', '--all']);
  });
  afterAll(async () => {
    await lab?.down();
  });

  it('removes a SIGKILLed runner’s partition and latency 3 s later, with no recover', async () => {
    const partition = inject('network.partition', 'a', [], '3s');
    const latency = inject('network.latency', 'b', ['-p', 'delay=100ms'], '3s');
    const active = async () => (await tables('a')).length === 1 && (await nfqChains('b')).length > 0;
    expect(await eventually(async () => (await ids()).length === 2 && (await active()), 60_000)).toBe(true);
    partition.child.kill('SIGKILL');
    latency.child.kill('SIGKILL');
    await Promise.all([partition.exit, latency.exit]);
    expect(await active()).toBe(true);
    const gone = async () =>
      (await tables('a')).length === 0 && (await nfqChains('b')).length === 0 && (await ids()).length === 0;
    expect(await eventually(gone, 30_000)).toBe(true);
    const workers = (await run(['ip', 'netns', 'pids', ns('b')])).stdout.split('\n').filter(Boolean);
    expect(workers).toHaveLength(1); // only the lab's own service: the NFQUEUE worker is gone too
  });

  it('keeps B’s nft table when A (same host, another nft kind) reverts, and removes B’s after', async () => {
    const b = inject('network.loss', 'a', ['-p', 'percent=20'], '30s');
    expect(await eventually(async () => (await tables('a')).length === 1, 60_000)).toBe(true);
    const [bId] = await ids();
    const a = inject('network.partition', 'a', [], '2s');
    expect(await a.exit).toBe(0);
    expect(a.out()).toMatch(/reverted network-partition-/);
    expect(await tables('a')).toEqual([nameOf(bId!)]);
    b.child.kill('SIGINT');
    await b.exit;
    expect(await tables('a')).toEqual([]);
  });

  it('keeps B’s NFQUEUE latency when A’s (same host, same kind) reverts', async () => {
    const b = inject('network.latency', 'c', ['-p', 'delay=50ms'], '30s');
    expect(await eventually(async () => (await nfqChains('c')).length > 0, 60_000)).toBe(true);
    const bChains = await nfqChains('c');
    const a = inject('network.latency', 'c', ['-p', 'delay=80ms'], '2s');
    expect(await a.exit).toBe(0);
    expect(await nfqChains('c')).toEqual(bChains);
    b.child.kill('SIGINT');
    await b.exit;
    expect(await nfqChains('c')).toEqual([]);
  });

  it('refuses a second bandwidth fault on a device whose root qdisc another fault owns', async () => {
    const b = inject('network.bandwidth', 'b', ['-p', 'rate=8mbit', '-p', 'direction=egress'], '30s');
    expect(await eventually(async () => /tbf/.test(await rootQdisc('b')), 60_000)).toBe(true);
    const before = await rootQdisc('b');
    const a = inject('network.bandwidth', 'b', ['-p', 'rate=1mbit', '-p', 'direction=egress'], '2s');
    expect(await a.exit).not.toBe(0);
    expect(a.out()).toMatch(/cannot coexist with the fault already on .*eth0 already has a root qdisc/);
    expect(await rootQdisc('b')).toBe(before);
    b.child.kill('SIGINT');
    await b.exit;
    expect(await rootQdisc('b')).not.toMatch(/tbf/);
    expect(await ids()).toEqual([]);
  });
});
