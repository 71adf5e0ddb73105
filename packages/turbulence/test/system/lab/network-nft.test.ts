import { describe, expect, it } from 'vitest';
import { blackholeDriver } from '../../../src/faults/network/blackhole.js';
import { dnsBlockDriver } from '../../../src/faults/network/dns-block.js';
import { lossDriver } from '../../../src/faults/network/loss.js';
import { turbulenceTables } from '../../../src/faults/network/nft.js';
import { partitionDriver } from '../../../src/faults/network/partition.js';
import { requireSystem } from '../../support/system.js';
import { addr, ctx, probe, useNetLab } from './netlab.js';

const sys = requireSystem('root', 'ip', 'nft');

describe.skipIf(sys.skip)('nft network faults between lab hosts', () => {
  const net = useNetLab();
  const { inject, revert, ns } = net;
  const tcp = (from: string, to: string, port = 7000, n = 3) =>
    probe(net.lab, from, ['tcp', addr(net.lab, to), port, n, 400]);

  it('partitions a host from one peer both ways, and heals completely', async () => {
    expect(await tcp('a', 'b')).toMatchObject({ ok: 3 });
    const faults = await inject(partitionDriver, ['a'], { peers: ['b'] });
    expect(await tcp('a', 'b')).toMatchObject({ ok: 0, fail: 3 });
    expect(await tcp('b', 'a')).toMatchObject({ ok: 0, fail: 3 });
    expect(await tcp('a', 'c')).toMatchObject({ ok: 3 });
    await revert(faults);
    expect(await tcp('a', 'b')).toMatchObject({ ok: 3 });
    expect(await turbulenceTables(ns('a'))).toEqual([]);
  });

  it('partitions two groups: {a} from {b, c}', async () => {
    const faults = await inject(partitionDriver, ['a'], { peers: ['b', 'c'] });
    expect(await tcp('a', 'b')).toMatchObject({ ok: 0 });
    expect(await tcp('c', 'a')).toMatchObject({ ok: 0 });
    expect(await tcp('b', 'c')).toMatchObject({ ok: 3 });
    await revert(faults);
  });

  it('cuts one way only: a cannot send to b, but b still reaches a', async () => {
    const faults = await inject(partitionDriver, ['a'], { peers: ['b'], direction: 'egress' });
    await probe(net.lab, 'a', ['count', addr(net.lab, 'a')]); // reset a's sink
    await probe(net.lab, 'b', ['sink', addr(net.lab, 'a'), 50]);
    expect((await probe(net.lab, 'a', ['count', addr(net.lab, 'a')])).count).toBe(50);
    await probe(net.lab, 'a', ['sink', addr(net.lab, 'b'), 50]);
    expect((await probe(net.lab, 'b', ['count', addr(net.lab, 'b')])).count).toBe(0);
    await revert(faults);
  });

  it('isolates a host from everyone (but its own loopback)', async () => {
    const faults = await inject(partitionDriver, ['b'], {});
    expect(await tcp('a', 'b')).toMatchObject({ ok: 0 });
    expect(await tcp('c', 'b')).toMatchObject({ ok: 0 });
    expect(await probe(net.lab, 'b', ['tcp', '127.0.0.1', 7000, 2, 400])).toMatchObject({ ok: 2 });
    await revert(faults);
    expect(await tcp('c', 'b')).toMatchObject({ ok: 3 });
  });

  it('drops about the set percentage of packets (30 % ± 10 points)', async () => {
    const faults = await inject(lossDriver, ['b'], { percent: 30, direction: 'ingress' });
    const r = await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 7001, 400, 2, 500]);
    const loss = 100 * (1 - (r.received as number) / 400);
    expect(loss).toBeGreaterThan(20);
    expect(loss).toBeLessThan(40);
    await revert(faults);
    const clean = await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 7001, 100, 2, 300]);
    expect(clean.received).toBe(100);
  });

  it('applies loss only to the named peer', async () => {
    const faults = await inject(lossDriver, ['b'], { percent: 100, peers: ['a'] });
    expect((await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 7001, 50, 2, 300])).received).toBe(0);
    expect((await probe(net.lab, 'c', ['udp', addr(net.lab, 'b'), 7001, 50, 2, 300])).received).toBe(50);
    await revert(faults);
  });

  it('blackholes one port and leaves the others alone', async () => {
    const faults = await inject(blackholeDriver, ['b'], { ports: [8080], protocol: 'tcp' });
    expect(await tcp('a', 'b', 8080, 2)).toMatchObject({ ok: 0, fail: 2 });
    expect(await tcp('a', 'b', 7000, 2)).toMatchObject({ ok: 2 });
    await revert(faults);
    expect(await tcp('a', 'b', 8080, 2)).toMatchObject({ ok: 2 });
  });

  it('blocks DNS queries from a host while other UDP flows', async () => {
    const faults = await inject(dnsBlockDriver, ['a'], {});
    expect((await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 53, 20, 2, 300])).received).toBe(0);
    expect((await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 7001, 20, 2, 300])).received).toBe(20);
    await revert(faults);
    expect((await probe(net.lab, 'a', ['udp', addr(net.lab, 'b'), 53, 20, 2, 300])).received).toBe(20);
  });

  it('injects twice into one table and reverts a fault whose inject never returned', async () => {
    const [target] = await partitionDriver.resolveTargets({ lab: net.lab.state.name, hosts: 'c' }, ctx());
    const params = partitionDriver.params.parse({ peers: ['a'] });
    await partitionDriver.inject(target!, params, ctx());
    await partitionDriver.inject(target!, params, ctx());
    expect(await turbulenceTables(ns('c'))).toHaveLength(1);
    await partitionDriver.revert({ id: 'x', kind: 'network.partition', target: target!, params }, ctx());
    expect(await turbulenceTables(ns('c'))).toEqual([]);
  });

  it('refuses to cut this machine off from everyone', async () => {
    const [target] = await partitionDriver.resolveTargets({ host: true }, ctx());
    await expect(partitionDriver.inject(target!, partitionDriver.params.parse({}), ctx())).rejects.toThrow(
      /needs peers/,
    );
  });
});
