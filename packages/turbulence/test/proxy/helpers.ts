/**
 * Loopback fixtures for proxy tests: an echo server, a server that sends a payload, a raw socket client, and a
 * proxy server. Everything a helper opens is closed by `cleanup()` (call it in afterEach).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { createProxyServer, type ProxyServer, type ProxyServerOptions } from '../../src/proxy/index.js';

const opened: (() => Promise<void> | void)[] = [];

/** Closes everything the helpers opened, newest first. */
export async function cleanup(): Promise<void> {
  for (const close of opened.splice(0).reverse()) await close();
}

/** A TCP server on 127.0.0.1 that runs `onSocket` per connection; its sockets die with it. */
export async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  opened.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

/** An echo server. */
export function echoServer(): Promise<{ port: number; server: Server }> {
  return tcpServer((socket) => socket.pipe(socket));
}

/** A proxy server on a free port with a fixed seed. */
export async function proxyServer(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const server = await createProxyServer({ port: 0, seed: 42, ...options });
  opened.push(() => server.close());
  return server;
}

/** A client socket to 127.0.0.1:port, connected. */
export async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  opened.push(() => void socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** Port of a `host:port` listen string. */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** Reads from `socket` until `bytes` bytes arrived; resolves with them and the elapsed ms. */
export function readBytes(socket: Socket, bytes: number, timeoutMs = 10_000): Promise<{ data: Buffer; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => done(new Error(`timed out with ${got}/${bytes} bytes`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) done();
    };
    const onEnd = (): void => done(new Error(`stream ended with ${got}/${bytes} bytes`));
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve({ data: Buffer.concat(chunks), ms: performance.now() - start });
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** Waits until the socket closes; resolves with how it ended and the elapsed ms. */
export function closed(socket: Socket, timeoutMs = 10_000): Promise<{ error: string | undefined; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let error: string | undefined;
    if (socket.destroyed) return resolve({ error, ms: 0 });
    const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.resume();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ error, ms: performance.now() - start });
    });
  });
}

/** An API answer as tests read it. */
export interface HttpReply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  json: any;
  headers: Headers;
}

/** Raw HTTP to the API: status, headers and text body. */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const type: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
  const init: RequestInit = { method, headers: { 'User-Agent': 'test', ...type, ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}
