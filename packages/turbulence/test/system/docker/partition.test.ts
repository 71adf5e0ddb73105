/**
 * Network faults between groups of containers, shown by a real client: busybox `nc` in one container sending an
 * HTTP request to busybox `httpd` in another (`docker exec`). A partition of group A from group B (peers by label),
 * then two effects on one container at once with peers by container name and by IP, each reverted on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settles } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { containerFaults, httpFrom, ipOf, netLeftovers, startContainers, testRun } from './helpers.js';

const sys = requireSystem('root', 'dockerd', 'ip', 'nft');
const run = testRun();
const [a1, a2, b1, b2] = ['a-1', 'a-2', 'b-1', 'b-2'].map(run.name) as [string, string, string, string];

describe.skipIf(sys.skip)('network faults between containers', () => {
  const { manager, cleanup } = containerFaults('partition', 3, run.id);
  const ip: Record<string, string> = {};
  /** Can `from` fetch a page from `to` (by its IP) right now? */
  const talks = (from: string, to: string) => httpFrom(from, ip[to]!);

  beforeAll(async () => {
    await startContainers([a1, a2], { 'turbulence.test': run.id, group: 'a' });
    await startContainers([b1, b2], { 'turbulence.test': run.id, group: 'b' });
    for (const n of [a1, a2, b1, b2]) ip[n] = await ipOf(n);
  }, 60_000);

  afterAll(cleanup, 60_000);

  it(
    'partitions group A from group B both ways; A still talks within A; revert heals',
    { timeout: 90_000 },
    async () => {
      expect(await talks(b1, a1)).toBe(true);
      const faults = await manager.inject(
        {
          kind: 'container.partition',
          target: { label: `group=a,turbulence.test=${run.id}` },
          params: { peers: [`label=group=b,turbulence.test=${run.id}`] },
        },
        { activity: 'partition A|B' },
      );
      expect(faults.map((f) => f.target.name).sort()).toEqual([a1, a2]);
      expect(await settles(() => talks(b1, a1), false, 5000)).toBe(true);
      expect(await talks(a2, b2)).toBe(false);
      expect(await talks(a1, a2)).toBe(true); // within the group
      expect(await talks(b1, b2)).toBe(true);
      await manager.revertAll();
      expect(await settles(() => talks(b1, a1), true, 5000)).toBe(true);
      expect(await talks(a2, b2)).toBe(true);
      expect([...(await netLeftovers(a1)), ...(await netLeftovers(a2))]).toEqual([]);
    },
  );

  it(
    'holds two effects on one container at once, peers by name and by IP, each reverted alone',
    { timeout: 90_000 },
    async () => {
      const [cut] = await manager.inject(
        { kind: 'container.partition', target: { name: a1 }, params: { peers: [b1] } },
        { activity: 'cut a1 from b1' },
      );
      const [hole] = await manager.inject(
        { kind: 'container.blackhole', target: { name: a1 }, params: { ports: [80], peers: [ip[b2]!] } },
        { activity: 'blackhole :80 of a1 for b2' },
      );
      expect(await settles(() => talks(b1, a1), false, 5000)).toBe(true);
      expect(await talks(b2, a1)).toBe(false);
      expect(await talks(a2, a1)).toBe(true);
      await manager.revert(cut!.id);
      expect(await settles(() => talks(b1, a1), true, 5000)).toBe(true);
      expect(await talks(b2, a1)).toBe(false);
      await manager.revert(hole!.id);
      expect(await settles(() => talks(b2, a1), true, 5000)).toBe(true);
      expect(await netLeftovers(a1)).toEqual([]);
    },
  );
});
