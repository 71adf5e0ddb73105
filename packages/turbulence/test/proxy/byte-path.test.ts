/**
 * The byte path reads into buffers it reuses (src/proxy/link.ts): a chunk the destination could not write at once
 * keeps its buffer, and chains that hold chunks get copies. Distinct bytes (not a constant fill) through a slow
 * reader, so writes queue and buffers are lent, would show any reuse too early as corrupted data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type NetConnectOpts, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyServer } from '../../src/proxy/index.js';
import { Link } from '../../src/proxy/link.js';
import { cleanup, dial, portOf, proxyServer, tcpServer } from './helpers.js';

const SIZE = 6 * 1024 * 1024;
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** An upstream that reads slowly (pausing between reads) and echoes what it read, so both directions queue. */
async function slowEcho(): Promise<number> {
  const { port } = await tcpServer((socket) => {
    let reads = 0;
    socket.on('data', (data: Buffer) => {
      if (!socket.write(data)) socket.pause();
      if (++reads % 8 === 0 && !socket.isPaused()) {
        socket.pause();
        setTimeout(() => socket.resume(), 2);
      }
    });
    socket.on('drain', () => socket.resume());
    socket.on('end', () => socket.end());
  });
  return port;
}

/** Writes `payload` and reads back as many bytes (slowly: a pause every few chunks); resolves with what came back. */
async function exchange(socket: Socket, payload: Buffer, during?: (received: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      got += data.length;
      during?.(got);
      if (got >= payload.length) resolve();
      else if (chunks.length % 16 === 0) {
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      }
    });
  });
  for (let at = 0; at < payload.length; at += 256 * 1024) {
    if (!socket.write(payload.subarray(at, at + 256 * 1024))) await once(socket, 'drain');
  }
  await done;
  return Buffer.concat(chunks);
}

describe('byte path: reused read buffers', { timeout: 60_000 }, () => {
  let server: ProxyServer;
  let upstream: number;
  beforeAll(async () => {
    server = await proxyServer({ api: false });
    upstream = await slowEcho();
  });
  afterAll(cleanup);

  const through = async (name: string) =>
    portOf((await server.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}` })).listen);

  it('carries distinct bytes intact both ways with no toxic, with three noop toxics, and with latency', async () => {
    const plain = await through('plain');
    const noop = await through('noop');
    const late = await through('late');
    for (const stream of ['upstream', 'downstream']) {
      for (let i = 0; i < 3; i++) server.addToxic('noop', { name: `n_${stream}_${i}`, type: 'noop', stream });
      server.addToxic('late', { name: `l_${stream}`, type: 'latency', stream, attributes: { latency: 5 } });
    }
    const results = await Promise.all(
      [plain, noop, late].map(async (port) => {
        const payload = randomBytes(SIZE);
        const back = await exchange(await dial(port), payload);
        return [sha(back), sha(payload)];
      }),
    );
    for (const [got, sent] of results) expect(got).toBe(sent);
  });

  it('keeps bytes intact while toxics that hold chunks come and go mid-stream', async () => {
    const port = await through('switch');
    const payload = randomBytes(SIZE);
    let step = 0;
    const back = await exchange(await dial(port), payload, (received) => {
      // Every ~512 KiB: add or remove a latency toxic (copies held chunks) and a slicer (holds views of them).
      const due = Math.floor(received / (512 * 1024));
      for (; step < due; step++) {
        const stream = step % 4 < 2 ? 'upstream' : 'downstream';
        if (step % 2 === 0) {
          server.addToxic('switch', { name: `lat${step}`, type: 'latency', stream, attributes: { latency: 3 } });
          server.addToxic('switch', {
            name: `sl${step}`,
            type: 'slicer',
            stream,
            attributes: { average_size: 3000, size_variation: 1000, delay: 0 },
          });
        } else {
          server.removeToxic('switch', `lat${step - 1}`);
          server.removeToxic('switch', `sl${step - 1}`);
        }
      }
    });
    expect(sha(back)).toBe(sha(payload));
  });

  it('keeps a buffer lent while a write it holds is queued under the socket high-water mark', async () => {
    // With Node 20's 16 KiB socket high-water mark a queued bulk write always pauses the source, so no read can
    // follow before 'drain'; a destination with a larger mark (Node 22 defaults to 64 KiB) queues writes without
    // pausing, and only the lending keeps the next read out of the buffer the queued write still points into.
    const payload = randomBytes(SIZE);
    const received: Buffer[] = [];
    const { port: sinkPort } = await tcpServer((socket) => {
      socket.pause();
      setTimeout(() => socket.resume(), 300);
      socket.on('data', (data: Buffer) => received.push(data));
    });
    const sinkEnded = new Promise<void>((resolve) => {
      const check = (): void => {
        const got = received.reduce((n, b) => n + b.length, 0);
        if (got >= SIZE) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
        server.close();
        resolve(socket);
      }).listen(0, '127.0.0.1', () => void sender(server));
    });
    const sender = async (server: ReturnType<typeof createServer>): Promise<void> => {
      const address = server.address();
      const client = await dial(typeof address === 'object' && address ? address.port : 0);
      for (let at = 0; at < SIZE; at += 256 * 1024) {
        if (!client.write(payload.subarray(at, at + 256 * 1024))) await once(client, 'drain');
      }
      client.end();
    };
    const source = await accepted;
    // Node passes the Duplex option through; @types/node does not list it for sockets.
    const options: NetConnectOpts & { writableHighWaterMark: number } = {
      port: sinkPort,
      host: '127.0.0.1',
      writableHighWaterMark: 1 << 20,
    };
    const dest = connect(options);
    expect(dest.writableHighWaterMark).toBe(1 << 20);
    await once(dest, 'connect');
    const owner = { close: () => dest.end(), reset: () => dest.destroy() };
    new Link(owner, 'upstream', 1, source, dest, { received: 0, sent: 0 });
    source.resume();
    await sinkEnded;
    source.destroy();
    dest.destroy();
    expect(sha(Buffer.concat(received))).toBe(sha(payload));
  });
});
