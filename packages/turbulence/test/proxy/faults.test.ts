/**
 * The `proxy.toxic` and `proxy.disable` fault kinds under the shared driver contract, observed through real
 * traffic: the toxic is "in effect" when a round trip through the proxy is slow, the outage when connects fail.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { driverContract } from '../support/driver-contract.js';
import { createProxyServer } from '../../src/proxy/index.js';
import { getDriver } from '../../src/faults/registry.js';
import { Rng } from '../../src/core/rng.js';
import { echoServer, cleanup, portOf } from './helpers.js';

async function liveProxy() {
  const echo = await echoServer();
  const server = await createProxyServer({ port: 0, seed: 1 });
  const proxy = await server.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
  const port = portOf(proxy.listen);
  const close = async () => {
    await server.close();
    await cleanup();
  };
  return { server, port, close, query: { proxy: 'db', url: server.url } };
}

/** Round-trip time through the proxy, or -1 when the connection fails. */
function roundTrip(port: number): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(-1), 3000);
    const done = (ms: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    socket.on('error', () => done(-1));
    socket.on('connect', () => socket.write('x'));
    socket.on('data', () => done(performance.now() - start));
  });
}

driverContract({
  kind: 'proxy.toxic',
  async setup() {
    const live = await liveProxy();
    return {
      query: live.query,
      params: { type: 'latency', attributes: { latency: 150 } },
      inEffect: async () => (await roundTrip(live.port)) >= 140,
      cleanup: live.close,
    };
  },
});

driverContract({
  kind: 'proxy.disable',
  async setup() {
    const live = await liveProxy();
    return { query: live.query, inEffect: async () => (await roundTrip(live.port)) < 0, cleanup: live.close };
  },
});

describe('proxy fault targets', () => {
  it('refuses an unknown proxy name, listing the known ones', async () => {
    const live = await liveProxy();
    try {
      const driver = await getDriver('proxy.toxic');
      const ctx = { rng: new Rng(1), signal: new AbortController().signal };
      await expect(driver.resolveTargets({ proxy: 'nope', url: live.server.url }, ctx)).rejects.toThrow(
        /no proxy named nope/,
      );
      const all = await driver.resolveTargets({ url: live.server.url }, ctx);
      expect(all.map((t) => t.attributes.proxy)).toEqual(['db']);
    } finally {
      await live.close();
    }
  });
});
