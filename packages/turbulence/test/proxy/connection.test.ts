import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToxicType } from '../../src/proxy/index.js';
import { cleanup, closed, dial, echoServer, portOf, proxyServer, readBytes, tcpServer } from './helpers.js';

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

  it('stamps chunks with the time only when a stage of the chain reads it (timeless chains get t = 0)', async () => {
    const seen: Record<'timeless' | 'timed', number[]> = { timeless: [], timed: [] };
    const probe = (type: 'timeless' | 'timed'): ToxicType<Record<string, never>> => ({
      type: `probe_${type}`,
      summary: 'records chunk timestamps',
      attributes: z.object({}),
      ...(type === 'timeless' ? { timeless: true } : {}),
      create: (_attributes, out) => ({
        write(data, t) {
          seen[type].push(t);
          out.write(data, t);
        },
        end: () => out.end(),
        stop: () => {},
      }),
    });
    const upstream = await echoServer();
    const server = await proxyServer({ toxics: [probe('timeless'), probe('timed')] });
    const proxy = await server.createProxy({
      name: 't',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${upstream.port}`,
    });
    server.addToxic('t', { name: 'a', type: 'probe_timeless', stream: 'upstream' });
    const socket = await dial(portOf(proxy.listen));
    socket.write('one');
    await readBytes(socket, 3);
    expect(seen.timeless).toEqual([0]);
    server.addToxic('t', { name: 'b', type: 'probe_timed', stream: 'upstream' });
    const before = performance.now();
    socket.write('two');
    await readBytes(socket, 3);
    expect(seen.timeless).toHaveLength(2);
    expect(seen.timeless[1]).toBeGreaterThanOrEqual(before);
    expect(seen.timed).toEqual([seen.timeless[1]]);
    server.removeToxic('t', 'b');
    socket.write('three');
    await readBytes(socket, 5);
    expect(seen.timeless[2]).toBe(0);
  });
});
