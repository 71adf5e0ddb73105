/**
 * The workloads of bench/proxy.ts, each against a TCP port: bulk throughput, HTTP keep-alive request/response
 * latency, new connections per second, and idle connections. Clients are raw sockets (no http.Agent overhead).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/** A server on 127.0.0.1 with a free port. */
export async function serve(handler: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', 4096);
  await once(server, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/**
 * A sink that reads and drops everything; `done(n)` makes a function that, called when a run starts, resolves once
 * `n` more connections have ended (the argument `throughput` takes as `sinkDone`).
 */
export async function countingSink(): Promise<{
  server: Server;
  port: number;
  done: (n: number) => () => Promise<void>;
}> {
  let ended = 0;
  const waiters: (() => void)[] = [];
  const sink = await serve((s) => {
    s.resume();
    s.on('end', () => {
      ended++;
      for (const w of waiters.splice(0)) w();
    });
    s.on('error', () => {});
  });
  const done = (n: number) => () => {
    const wanted = ended + n;
    return new Promise<void>((resolve) => {
      const check = (): void => (ended >= wanted ? resolve() : void waiters.push(check));
      check();
    });
  };
  return { ...sink, done };
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/**
 * Sends `bytesPerStream` on each of `streams` connections to a sink, in writes of `writeBytes`; resolves with MB/s
 * (10^6 bytes).
 */
export async function throughput(
  port: number,
  sinkDone: () => Promise<void>,
  streams: number,
  bytesPerStream: number,
  writeBytes = 64 * 1024,
) {
  const chunk = Buffer.alloc(writeBytes, 1);
  const sockets = await Promise.all(Array.from({ length: streams }, () => dial(port)));
  const started = performance.now();
  const done = sinkDone();
  await Promise.all(
    sockets.map(async (socket) => {
      for (let sent = 0; sent < bytesPerStream; sent += chunk.length) {
        if (!socket.write(chunk)) await once(socket, 'drain');
      }
      socket.end();
    }),
  );
  await done;
  const seconds = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  return { value: (streams * bytesPerStream) / 1e6 / seconds, work: (streams * bytesPerStream) / 1e6 };
}

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n');

/** Keep-alive HTTP on `connections` sockets for `ms`: requests/s and latency percentiles (ms). */
export async function keepAlive(port: number, connections: number, ms: number, responseBytes: number) {
  const latencies: number[] = [];
  const deadline = performance.now() + ms;
  const sockets = await Promise.all(Array.from({ length: connections }, () => dial(port)));
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let got = 0;
          let sentAt = 0;
          const send = (): void => {
            got = 0;
            sentAt = performance.now();
            socket.write(REQUEST);
          };
          socket.on('data', (d: Buffer) => {
            got += d.length;
            if (got < responseBytes) return;
            const now = performance.now();
            latencies.push(now - sentAt);
            if (now < deadline) send();
            else resolve();
          });
          send();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return { value: latencies.length / seconds, work: latencies.length, p50: pct(0.5), p99: pct(0.99) };
}

/** New connections per second: connect, one byte echoed, close; `concurrency` loops for `ms`. */
export async function connectionsPerSecond(port: number, concurrency: number, ms: number) {
  let count = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const socket = await dial(port);
        socket.write('x');
        await once(socket, 'data');
        socket.destroy();
        count++;
      }
    }),
  );
  return { value: count / ((performance.now() - started) / 1000), work: count };
}

/** Opens `count` idle connections (in batches); returns them. */
export async function openIdle(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, () => dial(port));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}
