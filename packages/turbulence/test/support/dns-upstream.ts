/**
 * A tiny authoritative upstream for DNS server tests, on loopback (UDP and TCP, port 0): answers every A query
 * with 10.0.0.1 (TTL 60), anything else NOERROR with no answers. Malformed input is ignored. Also the raw UDP
 * client socket the DNS fuzz tests send their packets from.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { decodeMessage, encodeMessage, replyTo, Rcode } from '../../src/dns/wire.js';

/** A running upstream: `address` is `127.0.0.1:PORT` (UDP and TCP); `close()` stops it. */
export interface TestUpstream {
  address: string;
  queries: () => number;
  close: () => Promise<void>;
}

function answer(buf: Buffer): Buffer | undefined {
  try {
    const q = decodeMessage(buf);
    const question = q.questions?.[0];
    const answers =
      question?.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '10.0.0.1' }] : [];
    return encodeMessage(replyTo(q, Rcode.NOERROR, answers));
  } catch {
    return undefined;
  }
}

/**
 * Starts the upstream.
 *
 * @example
 * const up = await startTestUpstream();
 * const server = createDnsServer({ listen: '127.0.0.1:0', upstream: up.address });
 */
export async function startTestUpstream(): Promise<TestUpstream> {
  let count = 0;
  const handle = (msg: Buffer): Buffer | undefined => {
    count++;
    return answer(msg);
  };
  // UDP takes a free port, TCP must get the same number; another socket may hold it for TCP: try again.
  for (let attempt = 1; ; attempt++) {
    const { udp, port } = await bindUdp(handle);
    const tcp = tcpServer(handle);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => resolve());
      });
    } catch (err) {
      udp.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      continue;
    }
    return {
      address: `127.0.0.1:${port}`,
      queries: () => count,
      close: async () => {
        udp.close();
        await new Promise((r) => tcp.close(r));
      },
    };
  }
}

async function bindUdp(handle: (msg: Buffer) => Buffer | undefined): Promise<{ udp: Socket; port: number }> {
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const out = handle(msg);
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return { udp, port: udp.address().port };
}

function tcpServer(handle: (msg: Buffer) => Buffer | undefined): Server {
  return createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = handle(msg);
        if (out) socket.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
      }
    });
  });
}

/**
 * A UDP socket bound to 127.0.0.1 (port 0), for sending raw packets to a DNS server under test. Close it when done.
 *
 * @example
 * const client = await loopbackUdpClient();
 * client.send(bytes, port, '127.0.0.1');
 */
export async function loopbackUdpClient(): Promise<Socket> {
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  return client;
}
