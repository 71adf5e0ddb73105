/**
 * `protocol: udp` proxies with real datagrams: a plain `dgram` echo server for every UDP toxic (the UDP toxic
 * contract: defaults, toxicity 0 / 1, live removal, replay), toxicity as a per-datagram probability, and bad
 * input. The DNS client test against dnsmasq is in test/system/dns/udp-proxy.test.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/index.js';
import { builtinToxics } from '../../src/proxy/toxics/index.js';
import { eventually } from '../support/eventually.js';
import { cleanup, http, portOf, proxyServer } from './helpers.js';

let echo: Socket;
let echoPort: number;
beforeAll(async () => {
  echo = createSocket('udp4');
  echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
  echo.bind(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = echo.address().port;
});
afterEach(cleanup);
afterAll(() => echo.close());

async function setup(seed = 42) {
  const server = await proxyServer({ seed });
  const api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'u', upstream: `127.0.0.1:${echoPort}`, protocol: 'udp' });
  return { server, api, port: portOf(proxy.listen) };
}

/** Sends `payloads` from one client socket; collects replies for `waitMs`. */
async function roundTrips(port: number, payloads: Buffer[], waitMs = 150): Promise<{ got: Buffer[]; ms: number[] }> {
  const client = createSocket('udp4');
  const got: Buffer[] = [];
  const ms: number[] = [];
  const start = performance.now();
  client.on('message', (m) => {
    got.push(m);
    ms.push(performance.now() - start);
  });
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  // Paced, so the kernel's socket buffers never drop what the toxics did not.
  for (let i = 0; i < payloads.length; i++) {
    client.send(payloads[i] as Buffer, port, '127.0.0.1');
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 3));
  }
  await new Promise((r) => setTimeout(r, waitMs));
  client.close();
  return { got, ms };
}

const one = [Buffer.from('hello datagram')];

interface UdpCase {
  defaults: Record<string, number>;
  effect: Record<string, number>;
  /** Payloads sent and how long to wait for replies. */
  send?: Buffer[];
  waitMs?: number;
  fired: (r: { got: Buffer[]; ms: number[] }) => boolean;
}

const CASES: Record<string, UdpCase> = {
  udp_drop: { defaults: {}, effect: {}, fired: (r) => r.got.length === 0 },
  udp_delay: {
    defaults: { delay: 0, jitter: 0 },
    effect: { delay: 400 },
    waitMs: 800,
    fired: (r) => r.got.length === 1 && (r.ms[0] ?? 0) >= 380,
  },
  udp_duplicate: { defaults: { copies: 1 }, effect: { copies: 2 }, fired: (r) => r.got.length === 3 },
  udp_reorder: {
    defaults: { delay: 50 },
    effect: { delay: 400 },
    send: [Buffer.from('first')],
    waitMs: 800,
    fired: (r) => r.got.length === 1 && (r.ms[0] ?? 0) >= 380,
  },
  udp_corrupt: {
    defaults: { bytes: 1 },
    effect: { bytes: 3 },
    fired: (r) => r.got.length === 1 && !(r.got[0] as Buffer).equals(one[0] as Buffer),
  },
  udp_truncate: {
    defaults: { bytes: 0 },
    effect: { bytes: 5 },
    fired: (r) => r.got.length === 1 && (r.got[0] as Buffer).toString() === 'hello',
  },
};

describe('UDP toxic contract', () => {
  it('has a case for every registered UDP toxic', () => {
    const registered = builtinToxics.filter((t) => t.protocol === 'udp').map((t) => t.type);
    expect(Object.keys(CASES).sort()).toEqual(registered.sort());
  });

  describe.each(Object.entries(CASES))('%s', (type, c) => {
    it('fills in its defaults; toxicity 0 has no effect, 1 shows on real datagrams; removal restores', async () => {
      const { api, port } = await setup();
      const t = await api.addToxic('u', { name: 'd', type, attributes: {} });
      expect(t.attributes).toEqual(c.defaults);
      await api.removeToxic('u', 'd');
      const trip = () => roundTrips(port, c.send ?? one, c.waitMs);
      expect(c.fired(await trip())).toBe(false);
      await api.addToxic('u', { name: 't', type, toxicity: 0, stream: 'upstream', attributes: c.effect });
      expect(c.fired(await trip())).toBe(false);
      await api.updateToxic('u', 't', { toxicity: 1 });
      expect(c.fired(await trip())).toBe(true);
      await api.removeToxic('u', 't');
      expect(c.fired(await trip())).toBe(false);
    });
  });
});

describe('udp proxy', () => {
  it('reorders: a held datagram is overtaken by the next one', async () => {
    const { server, api, port } = await setup();
    await api.addToxic('u', { type: 'udp_reorder', stream: 'upstream', toxicity: 1, attributes: { delay: 150 } });
    const client = createSocket('udp4');
    const got: string[] = [];
    client.on('message', (m) => got.push(m.toString()));
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
    client.send('a', port, '127.0.0.1');
    await eventually(() => server.proxies.get('u').totalsByDirection.upstream.received > 0, 2000, 1);
    await api.updateToxic('u', 'udp_reorder_upstream', { toxicity: 0 });
    client.send('b', port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 400));
    client.close();
    expect(got).toEqual(['b', 'a']);
  });

  it('drops with toxicity as the per-datagram probability, replayed by the seed', async () => {
    const lost = async (seed: number) => {
      const { api, port } = await setup(seed);
      await api.addToxic('u', { type: 'udp_drop', stream: 'downstream', toxicity: 0.3 });
      const payloads = Array.from({ length: 400 }, (_, i) => Buffer.from(`m${i}`));
      const { got } = await roundTrips(port, payloads, 600);
      return payloads.filter((p) => !got.some((g) => g.equals(p))).map(String);
    };
    const first = await lost(7);
    expect(first.length).toBeGreaterThanOrEqual(80);
    expect(first.length).toBeLessThanOrEqual(160);
    expect(await lost(7)).toEqual(first);
  });

  it('refuses UDP toxics on a tcp proxy, byte toxics and TLS on a udp proxy (400, field, fix)', async () => {
    const { server, api } = await setup();
    await api.createProxy({ name: 'tcp', upstream: '127.0.0.1:1' });
    const onTcp = await http(server.url, 'POST', '/proxies/tcp/toxics', { type: 'udp_drop' });
    expect([onTcp.status, onTcp.json.error]).toEqual([
      400,
      expect.stringMatching(/needs a proxy with protocol udp.*"protocol": "udp"/),
    ]);
    const onUdp = await http(server.url, 'POST', '/proxies/u/toxics', { type: 'latency' });
    expect([onUdp.status, onUdp.json.error]).toEqual([400, expect.stringMatching(/use udp_\* toxics/)]);
    const tls = await http(server.url, 'POST', '/proxies', {
      name: 'x',
      upstream: '127.0.0.1:1',
      protocol: 'udp',
      tls: { terminate: true },
    });
    expect([tls.status, tls.json.error]).toEqual([400, expect.stringMatching(/tls is for tcp and http proxies/)]);
    const badAttr = await http(server.url, 'POST', '/proxies/u/toxics', {
      type: 'udp_duplicate',
      attributes: { copies: 0 },
    });
    expect([badAttr.status, badAttr.json.error]).toEqual([
      400,
      expect.stringMatching(/copies must be an integer from 1 to 100/),
    ]);
    expect(Object.keys(await api.list()).sort()).toEqual(['tcp', 'u']);
  });
});
