/**
 * A proxy under test, in its own process so its CPU and memory are its own:
 *   tsx bench/proxy-target.ts <pipe|turbulence|turbulence-noop3> <upstreamPort>
 * Prints `{"port": N}` once listening; `rss` on stdin prints `{"rss": bytes}` after a GC, `cpu` prints
 * `{"cpu": µs}` (user + system so far); exits when stdin closes.
 */
import { once } from 'node:events';
import { startMinimalProxy } from './proxy-minimal.js';
import { createProxyServer } from '../packages/turbulence/src/proxy/index.js';

const [mode = 'pipe', upstreamText = '0'] = process.argv.slice(2);
const upstream = Number(upstreamText);

async function start(): Promise<number> {
  if (mode === 'pipe') {
    const server = startMinimalProxy(0, upstream);
    await once(server, 'listening');
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }
  const server = await createProxyServer({ seed: 1, api: false });
  const proxy = await server.createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  if (mode === 'turbulence-noop3') {
    for (const stream of ['upstream', 'downstream']) {
      for (let i = 0; i < 3; i++) server.addToxic('bench', { name: `noop_${stream}_${i}`, type: 'noop', stream });
    }
  }
  return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
}

const port = await start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  if (text.includes('cpu')) {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu: user + system })}\n`);
    return;
  }
  if (!text.includes('rss')) return;
  (globalThis as { gc?: () => void }).gc?.();
  setTimeout(() => process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss })}\n`), 200);
});
process.stdin.on('end', () => process.exit(0));
