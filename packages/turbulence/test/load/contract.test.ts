/**
 * Driver contract of the `load` family against a real HTTP server (and, for the reconnect storm, a real
 * turbulence proxy in front of it). A load is in effect while requests reach the server: `inEffect` answers
 * "did requests arrive since the last look", measured by the server itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { driverContract, type ContractTarget } from '../support/driver-contract.js';

let server: Server;
let proxy: ProxyServer;
let upstream = '';
let proxied = '';
let served = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    served += 1;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await createProxyServer({ port: 0, seed: 1 });
  proxied = (await proxy.createProxy({ name: 'herd', listen: '127.0.0.1:0', upstream })).toJSON().listen;
});
afterAll(async () => {
  await proxy.close();
  server.closeAllConnections();
  server.close();
});

const why = {
  'crash-recover':
    'a load runs in worker threads of the runner and ends with it: nothing outlives a SIGKILL (a reconnect storm killed mid-blip leaves its proxy disabled; its revert, run by recover, enables it again: test/load/crash.test.ts)',
};

function arriving(url: () => string, params: () => ContractTarget['params']): () => Promise<ContractTarget> {
  return () => {
    let seen = served;
    return Promise.resolve({
      query: { url: url() },
      params: params(),
      inEffect: () => {
        const now = served;
        const arrived = now > seen;
        seen = now;
        return Promise.resolve(arrived);
      },
      cleanup: () => Promise.resolve(),
    });
  };
}

driverContract({
  kind: 'load.burst',
  skipBehaviours: why,
  setup: arriving(
    () => `http://${upstream}/`,
    () => ({ clients: 5, requests: 50 }),
  ),
});

driverContract({
  kind: 'load.retry-storm',
  skipBehaviours: why,
  setup: arriving(
    () => `http://${upstream}/`,
    () => ({ clients: 3, requests: 30, retries: 2 }),
  ),
});

driverContract({
  kind: 'load.reconnect-storm',
  skipBehaviours: why,
  setup: arriving(
    () => `http://${proxied}/`,
    () => ({ clients: 4, duration: '1s', interval: '20ms', drop: { proxy: 'herd', api: proxy.url, blip: '100ms' } }),
  ),
});
