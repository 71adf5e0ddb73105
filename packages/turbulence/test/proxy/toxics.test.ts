/**
 * Every toxic with real bytes through real sockets, driven by the real `toxiproxy-node-client` from npm.
 * Timing bounds are generous: two shared cores.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import type { Socket } from 'node:net';
import { cleanup, closed, dial, echoServer, portOf, proxyServer, readBytes, tcpServer } from './helpers.js';

afterEach(cleanup);

/** A proxy named `name` in front of `upstreamPort`, created through toxiproxy-node-client. */
async function through(upstreamPort: number) {
  const server = await proxyServer();
  const toxiproxy = new Toxiproxy(server.url);
  const proxy = await toxiproxy.createProxy({
    name: 'svc',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstreamPort}`,
  });
  const port = portOf(proxy.listen);
  const add = <T>(body: Partial<ICreateToxicBody<T>>) => proxy.addToxic(body as ICreateToxicBody<T>);
  return { server, toxiproxy, proxy, port, add };
}

async function roundTrip(socket: Socket, text = 'ping'): Promise<number> {
  const reply = readBytes(socket, text.length);
  socket.write(text);
  const { data, ms } = await reply;
  expect(data.toString()).toBe(text);
  return ms;
}

describe('toxics through toxiproxy-node-client', () => {
  it('latency 100 ms adds 100-150 ms to a round trip, and applies to a live connection', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const socket = await dial(port);
    expect(await roundTrip(socket)).toBeLessThan(90); // well under the latency to come, even on a loaded machine
    await add({ type: 'latency', stream: 'downstream', attributes: { latency: 100, jitter: 0 } });
    const ms = await roundTrip(socket);
    expect(ms).toBeGreaterThanOrEqual(98);
    expect(ms).toBeLessThan(200);
  });

  it('stacks latency toxics (upstream 50 + downstream 60) and keeps bulk throughput', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ name: 'up', type: 'latency', stream: 'upstream', attributes: { latency: 50 } });
    await add({ name: 'down', type: 'latency', stream: 'downstream', attributes: { latency: 60 } });
    const socket = await dial(port);
    const ms = await roundTrip(socket);
    expect(ms).toBeGreaterThanOrEqual(108);
    expect(ms).toBeLessThan(220);
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    const reply = readBytes(socket, big.length);
    socket.write(big);
    expect((await reply).ms).toBeLessThan(1500);
  });

  it('keeps jitter within latency ± jitter', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ type: 'latency', attributes: { latency: 60, jitter: 30 } });
    const socket = await dial(port);
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) samples.push(await roundTrip(socket));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(28);
    // 90 at most, plus what one round trip can take on a loaded machine: the median is held to the bound itself.
    expect(Math.max(...samples)).toBeLessThan(250);
    expect([...samples].sort((a, b) => a - b)[4]).toBeLessThan(120);
    expect(new Set(samples.map((s) => Math.round(s / 5))).size).toBeGreaterThan(1);
  });

  it('flushes data held by latency at once when the toxic is removed', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const toxic = await add({ type: 'latency', attributes: { latency: 5000 } });
    const socket = await dial(port);
    const reply = readBytes(socket, 4);
    socket.write('ping');
    await new Promise((r) => setTimeout(r, 100));
    const start = performance.now();
    await toxic.remove();
    expect(performance.now() - start).toBeLessThan(1000); // the API call does not wait out the 5 s latency
    expect((await reply).ms).toBeLessThan(1000);
  });

  it('limits bandwidth to within 10% of the rate', async () => {
    const payload = Buffer.alloc(250_000, 3);
    const source = await tcpServer((s) => s.end(payload));
    const { port, add } = await through(source.port);
    await add({ type: 'bandwidth', attributes: { rate: 500 } });
    const socket = await dial(port);
    const { ms } = await readBytes(socket, payload.length);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(575);
  });

  it('stalls data at bandwidth rate 0 until the toxic is updated', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const toxic = await add({ type: 'bandwidth', attributes: { rate: 0 } });
    const socket = await dial(port);
    const reply = readBytes(socket, 4);
    socket.write('ping');
    const early = await Promise.race([reply.then(() => 'arrived'), new Promise((r) => setTimeout(r, 300, 'held'))]);
    expect(early).toBe('held');
    await toxic.update({ attributes: { rate: 1000 } } as never);
    expect((await reply).data.toString()).toBe('ping');
  });

  it('slow_close holds the close for delay ms', async () => {
    const source = await tcpServer((s) => s.end('bye'));
    const { port, add } = await through(source.port);
    await add({ type: 'slow_close', attributes: { delay: 300 } });
    const socket = await dial(port);
    const data = readBytes(socket, 3);
    const end = closed(socket);
    expect((await data).data.toString()).toBe('bye');
    const { ms } = await end;
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(800);
  });

  it('timeout drops data and closes after the idle time; 0 hangs until removal closes it', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ name: 't', type: 'timeout', stream: 'upstream', attributes: { timeout: 200 } });
    const socket = await dial(port);
    const end = closed(socket);
    let got = 0;
    socket.on('data', (d: Buffer) => (got += d.length));
    socket.write('lost');
    const { ms } = await end;
    expect(got).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(180);
    expect(ms).toBeLessThan(700);
  });

  it('timeout 0 hangs the connection; removing the toxic closes it', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const toxic = await add({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const socket = await dial(port);
    socket.write('lost');
    const end = closed(socket);
    const early = await Promise.race([end.then(() => 'closed'), new Promise((r) => setTimeout(r, 300, 'open'))]);
    expect(early).toBe('open');
    await toxic.remove();
    await end;
  });

  // Toxiproxy's timeout (since 2.1.1, PR #168; README PR #598) drops what it reads, re-arms its timer on every chunk
  // and closes on removal because the stream is corrupt. These pin that, plus our narrower removal (see proxy.md).
  it('timeout is an idle timer: a chatty peer keeps the connection open, silence closes it', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ type: 'timeout', stream: 'upstream', attributes: { timeout: 600 } });
    const socket = await dial(port);
    const end = closed(socket);
    let state = 'open';
    void end.then(() => (state = 'closed'));
    let last = 0;
    for (let i = 0; i < 15 && state === 'open'; i++) {
      socket.write('x');
      last = performance.now();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('open'); // 1.5 s of chatter: more than twice the timeout
    await end;
    const silence = performance.now() - last;
    expect(silence).toBeGreaterThanOrEqual(550);
    expect(silence).toBeLessThan(2500);
  });

  it('removing timeout closes the connections it dropped data on and leaves the others usable', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const toxic = await add({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const touched = await dial(port);
    const untouched = await dial(port);
    const touchedEnd = closed(touched);
    touched.write('lost');
    await new Promise((r) => setTimeout(r, 200));
    await toxic.remove();
    await touchedEnd;
    expect(await roundTrip(untouched)).toBeLessThan(1000);
  });

  it('reset_peer resets the client within [timeout, timeout + 150 ms] of the first data', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 100 } });
    const socket = await dial(port);
    const end = closed(socket);
    socket.write('x');
    const { error, ms } = await end;
    expect(error).toBe('ECONNRESET');
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(250);
  });

  it('reset_peer at toxicity 0 leaves connections alone (Toxiproxy #603)', async () => {
    const source = await tcpServer((s) => s.end('fine'));
    const { port, add } = await through(source.port);
    await add({ type: 'reset_peer', toxicity: 0, attributes: { timeout: 0 } });
    const socket = await dial(port);
    const end = closed(socket);
    expect((await readBytes(socket, 4)).data.toString()).toBe('fine');
    expect((await end).error).toBeUndefined();
  });

  it('slicer delivers the same bytes in small pieces', async () => {
    const payload = Buffer.from(Array.from({ length: 2000 }, (_, i) => i % 251));
    const source = await tcpServer((s) => s.end(payload));
    const { port, add } = await through(source.port);
    await add({ type: 'slicer', attributes: { average_size: 100, size_variation: 40, delay: 2000 } });
    const socket = await dial(port);
    let events = 0;
    socket.on('data', () => events++);
    const { data } = await readBytes(socket, payload.length);
    expect(data.equals(payload)).toBe(true);
    expect(events).toBeGreaterThanOrEqual(8);
  });

  it('limit_data passes exactly N bytes and then closes', async () => {
    const source = await tcpServer((s) => s.write(Buffer.alloc(10_000, 1)));
    const { port, add } = await through(source.port);
    await add({ type: 'limit_data', attributes: { bytes: 1234 } });
    const socket = await dial(port);
    let got = 0;
    socket.on('data', (d: Buffer) => (got += d.length));
    await closed(socket);
    expect(got).toBe(1234);
  });

  it('packet_loss drops whole chunks: 1 drops everything, 0.5 drops some', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    const toxic = await add({ type: 'packet_loss' as never, attributes: { loss_rate: 1 } });
    const socket = await dial(port);
    let got = 0;
    socket.on('data', (d: Buffer) => (got += d.length));
    for (let i = 0; i < 5; i++) {
      socket.write('x');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toBe(0);
    await toxic.update({ attributes: { loss_rate: 0.5, correlation: 0 } } as never);
    for (let i = 0; i < 40; i++) {
      socket.write('x');
      await new Promise((r) => setTimeout(r, 8));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toBeGreaterThan(5);
    expect(got).toBeLessThan(35);
  });

  it('limit_time closes the connection time ms after data starts flowing', async () => {
    const echo = await echoServer();
    const { port, add } = await through(echo.port);
    await add({ type: 'limit_time' as never, attributes: { time: 250 } });
    const socket = await dial(port);
    const end = closed(socket);
    await roundTrip(socket);
    const { ms } = await end;
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(700);
  });

  it('refuse resets new connections without dialling the upstream; connect_delay delays them', async () => {
    let accepted = 0;
    const echo = await tcpServer((s) => {
      accepted++;
      s.pipe(s);
    });
    const { port, add } = await through(echo.port);
    const refuse = await add({ type: 'refuse' as never, attributes: {} });
    const outcome = await dial(port).then(
      async (socket) => (await closed(socket)).error ?? 'closed',
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(outcome).toMatch(/ECONNRESET|closed/);
    expect(accepted).toBe(0);
    await refuse.remove();
    await add({ type: 'connect_delay' as never, attributes: { delay: 200 } });
    const slow = await dial(port);
    const ms = await roundTrip(slow);
    expect(ms).toBeGreaterThanOrEqual(180);
    expect(accepted).toBe(1);
  });
});
