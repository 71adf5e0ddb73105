/**
 * A proxy under test, in its own process so its CPU and memory are its own:
 *   tsx bench/proxy-target.ts <pipe|turbulence|turbulence-noop3|turbulence-latency3> <upstreamPort> [srcDir]
 * `srcDir` (default `packages/turbulence/src`) lets bench/proxy-throughput.ts run an older checkout of the proxy
 * (`--before=REF`) beside the current one. `turbulence-latency3` has three `latency` toxics (0 ms) per direction.
 * Prints `{"port": N}` once listening; `rss` on stdin prints `{"rss": bytes}` after a GC, `cpu` prints
 * `{"cpu": µs}` (user + system so far); exits when stdin closes.
 */
import { once } from 'node:events';
import { startMinimalProxy } from './proxy-minimal.js';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type * as ProxyModule from '../packages/turbulence/src/proxy/index.js';

const [mode = 'pipe', upstreamText = '0', srcDir] = process.argv.slice(2);
const upstream = Number(upstreamText);
const entry = srcDir ? pathToFileURL(join(srcDir, 'proxy/index.ts')).href : '../packages/turbulence/src/proxy/index.js';

async function start(): Promise<number> {
  if (mode === 'pipe') {
    const server = startMinimalProxy(0, upstream);
    await once(server, 'listening');
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }
  const { createProxyServer } = (await import(entry)) as typeof ProxyModule;
  const server = await createProxyServer({ seed: 1, api: false });
  const proxy = await server.createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` });
  const stacked = mode.endsWith('-noop3') ? 'noop' : mode.endsWith('-latency3') ? 'latency' : undefined;
  if (stacked) {
    for (const stream of ['upstream', 'downstream']) {
      for (let i = 0; i < 3; i++)
        server.addToxic('bench', { name: `${stacked}_${stream}_${i}`, type: stacked, stream });
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
