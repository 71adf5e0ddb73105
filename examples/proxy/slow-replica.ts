/**
 * A replica behind a turbulence proxy: measure a client's request time, add 200 ms of latency, measure again,
 * remove it. Everything is on 127.0.0.1 and closes at the end.
 *
 *   npx tsx examples/proxy/slow-replica.ts
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from '../../packages/turbulence/src/proxy/index.js';

const replica = createServer((_req, res) => res.end('hello from the replica\n'));
replica.listen(0, '127.0.0.1');
await once(replica, 'listening');
const replicaPort = (replica.address() as AddressInfo).port;

const server = await createProxyServer({ seed: 42 });
const proxy = await server.createProxy({
  name: 'replica',
  listen: '127.0.0.1:0',
  upstream: `127.0.0.1:${replicaPort}`,
});
console.log(`proxy API ${server.url}, replica proxied on ${proxy.listen}`);

async function timed(label: string): Promise<void> {
  const start = performance.now();
  const res = await fetch(`http://${proxy.listen}/`);
  await res.text();
  console.log(`${label}: ${(performance.now() - start).toFixed(1)} ms`);
}

await timed('warm-up       ');
await timed('no toxic      ');
server.addToxic('replica', { name: 'slow', type: 'latency', attributes: { latency: 200 } });
await timed('latency 200 ms');
server.removeToxic('replica', 'slow');
await timed('toxic removed ');

await server.close();
replica.closeAllConnections();
replica.close();
