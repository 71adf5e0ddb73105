import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, closed, dial, portOf, proxyServer, readBytes, tcpServer } from './helpers.js';

afterEach(cleanup);

describe('proxied connections', () => {
  it('closes the client when the upstream cannot be dialled, and keeps accepting others', async () => {
    const server = await proxyServer();
    const dead = await server.createProxy({ name: 'dead', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const first = await dial(portOf(dead.listen));
    await closed(first);
    const second = await dial(portOf(dead.listen));
    await closed(second);
    expect(dead.connections.size).toBe(0);
  });

  it('carries a half-close: the client ends its side and still reads the whole answer', async () => {
    const upstream = await tcpServer((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => s.end(Buffer.concat(chunks).toString().toUpperCase()));
    });
    const server = await proxyServer();
    const proxy = await server.createProxy({
      name: 'up',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${upstream.port}`,
    });
    server.addToxic('up', { type: 'latency', stream: 'upstream', attributes: { latency: 30 } });
    const socket = await dial(portOf(proxy.listen));
    const answer = readBytes(socket, 5);
    socket.end('hello');
    expect((await answer).data.toString()).toBe('HELLO');
    await closed(socket);
    const deadline = Date.now() + 2000;
    while (proxy.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.connections.size).toBe(0);
  });

  it('closes every live connection when the proxy is deleted', async () => {
    const upstream = await tcpServer((s) => s.pipe(s));
    const server = await proxyServer();
    const proxy = await server.createProxy({
      name: 'p',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${upstream.port}`,
    });
    const sockets = await Promise.all([1, 2, 3].map(() => dial(portOf(proxy.listen))));
    for (const s of sockets) {
      const echo = readBytes(s, 1);
      s.write('x');
      await echo;
    }
    server.proxies.remove('p');
    await Promise.all(sockets.map((s) => closed(s)));
    expect(proxy.connections.size).toBe(0);
  });
});
