/**
 * How an application's test suite uses the proxy: put it between the code under test and its dependency, make
 * the dependency hang, and check the code gives up in time.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { createProxyServer, type ProxyServer } from '../../packages/turbulence/src/proxy/index.js';

let upstream: Server | undefined;
let server: ProxyServer | undefined;
afterEach(async () => {
  await server?.close();
  upstream?.close();
});

/** The code under test: asks a line-based service, gives up after `timeoutMs`. */
function ask(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('timed out'));
    });
    socket.on('error', reject);
    socket.once('data', (d: Buffer) => {
      socket.end();
      resolve(d.toString());
    });
    socket.write('PING\n');
  });
}

it('gives up when the dependency stops answering', async () => {
  upstream = createServer((s) => s.on('data', () => s.write('PONG\n')));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const port = (upstream.address() as { port: number }).port;

  server = await createProxyServer({ seed: 1 });
  const proxy = await server.createProxy({ name: 'dep', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
  const proxyPort = Number(proxy.listen.split(':')[1]);

  expect(await ask(proxyPort, 500)).toBe('PONG\n');
  server.addToxic('dep', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
  await expect(ask(proxyPort, 300)).rejects.toThrow('timed out');
});
