/**
 * Traffic filters and one-way partitions on containers, shown by real clients. A busybox container serves HTTP on
 * ports 80 and 81: Pumba's `iptables --protocol tcp --dst-port 80 loss` (planned by `turbulence docker`, injected
 * through the fault manager) cuts port 80 off while 81 still answers; Pumba's `netem --egress-port 80 delay` slows
 * port 80 only. Then a one-way partition between two containers: `cli` cannot open connections to `srv` while
 * `srv` still fetches pages from `cli` (busybox `nc` inside the containers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePumba } from '../../../src/cli/pumba/parse.js';
import { planPumba } from '../../../src/cli/pumba/plan.js';
import { settles } from '../../support/eventually.js';
import { shellWords } from '../../support/shell-words.js';
import { requireSystem } from '../../support/system.js';
import {
  connectMs,
  httpFrom,
  ipOf,
  netLeftovers,
  reachable,
  containerFaults,
  startContainers,
  testRun,
} from './helpers.js';

const sys = requireSystem('root', 'dockerd', 'ip', 'nft', 'iptables');
const run = testRun();
const srv = run.name('srv');
const cli = run.name('cli');

describe.skipIf(sys.skip)('traffic filters and one-way partitions on containers', () => {
  const { manager, cleanup } = containerFaults('filters', 4, run.id);
  const ip: Record<string, string> = {};
  /** Injects what a Pumba command line plans (`pumba` replaced by the words given). */
  const pumba = async (line: string) => {
    const plan = planPumba(parsePumba(shellWords(line)));
    expect(plan.unsupported).toEqual([]);
    return manager.inject(plan.fault!, { activity: `pumba ${line}` });
  };

  beforeAll(async () => {
    await startContainers([srv], { 'turbulence.test': run.id }, [
      'sh',
      '-c',
      'httpd -p 81 -h /var/www && exec httpd -f -p 80 -h /var/www',
    ]);
    await startContainers([cli], { 'turbulence.test': run.id });
    for (const n of [srv, cli]) ip[n] = await ipOf(n);
    expect(await settles(() => reachable(ip[srv]!, 81), true, 10_000)).toBe(true);
  }, 60_000);

  afterAll(cleanup, 60_000);

  it(
    'iptables --protocol tcp --dst-port 80 loss: port 80 is cut off, port 81 still answers',
    { timeout: 60_000 },
    async () => {
      expect(await reachable(ip[srv]!, 80)).toBe(true);
      const [fault] = await pumba(`iptables --duration 1m --protocol tcp --dst-port 80 loss --probability 1 ${srv}`);
      expect(await settles(() => reachable(ip[srv]!, 80), false, 5000)).toBe(true);
      expect(await reachable(ip[srv]!, 81)).toBe(true);
      await manager.revert(fault!.id);
      expect(await settles(() => reachable(ip[srv]!, 80), true, 5000)).toBe(true);
      expect(await netLeftovers(srv)).toEqual([]);
    },
  );

  it(
    'netem --egress-port 80 delay: answers from port 80 wait, port 81 answers at once',
    { timeout: 60_000 },
    async () => {
      const [fault] = await pumba(`netem --duration 1m --egress-port 80 delay --time 500 --jitter 0 ${srv}`);
      expect(await settles(async () => (await connectMs(ip[srv]!, 80)) > 300, true, 8000)).toBe(true);
      expect(await connectMs(ip[srv]!, 81)).toBeLessThan(300);
      await manager.revert(fault!.id);
      expect(await settles(async () => (await connectMs(ip[srv]!, 80)) < 300, true, 8000)).toBe(true);
      expect(await netLeftovers(srv)).toEqual([]);
    },
  );

  it(
    'one-way partition: cli cannot open connections to srv, srv still fetches from cli; revert heals',
    { timeout: 90_000 },
    async () => {
      expect(await httpFrom(cli, ip[srv]!)).toBe(true);
      const [fault] = await manager.inject(
        {
          kind: 'container.partition',
          target: { name: cli },
          params: { peers: [srv], direction: 'egress', connections: 'new' },
        },
        { activity: 'one-way partition cli -> srv' },
      );
      expect(await settles(() => httpFrom(cli, ip[srv]!), false, 5000)).toBe(true);
      expect(await httpFrom(srv, ip[cli]!)).toBe(true);
      await manager.revert(fault!.id);
      expect(await settles(() => httpFrom(cli, ip[srv]!), true, 5000)).toBe(true);
      expect(await netLeftovers(cli)).toEqual([]);
    },
  );
});
