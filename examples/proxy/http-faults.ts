/**
 * HTTP faults through a turbulence proxy: an HTTP service, a `protocol: http` proxy in front of it, an
 * `http_status` 503 on half of `GET /api/*`, and what a client sees; then the toxic is removed live.
 *
 *   npx tsx examples/proxy/http-faults.ts
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createProxyServer } from '../../packages/turbulence/src/proxy/index.js';

const service = createServer((req, res) => res.end(`ok ${req.url}\n`));
service.listen(0, '127.0.0.1');
await once(service, 'listening');
const servicePort = (service.address() as { port: number }).port;

const server = await createProxyServer({ seed: 42 });
const proxy = await server.createProxy({ name: 'api', upstream: `127.0.0.1:${servicePort}`, protocol: 'http' });
server.addToxic('api', {
  name: 'half-down',
  type: 'http_status',
  toxicity: 0.5,
  attributes: { status: 503, method: 'GET', path: '/api/*', headers: { 'Retry-After': '1' }, body: 'try later\n' },
});

const count = async (path: string, n: number): Promise<Record<number, number>> => {
  const seen: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`http://${proxy.listen}${path}`);
    await res.text();
    seen[res.status] = (seen[res.status] ?? 0) + 1;
  }
  return seen;
};

console.log('GET /api/users x200 with the toxic:', await count('/api/users', 200));
console.log('GET /health    x50  (not matched):', await count('/health', 50));
server.removeToxic('api', 'half-down');
console.log('GET /api/users x50  after removal:', await count('/api/users', 50));

await server.close();
service.close();
