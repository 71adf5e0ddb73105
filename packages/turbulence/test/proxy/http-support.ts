/**
 * Fixtures for `protocol: http` proxy tests: an upstream `node:http` server with a few routes (echo, chunked with
 * trailers, 100-continue, a WebSocket echo), and a raw-socket HTTP exchange. Closed by `cleanup()` of helpers.ts.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Routes: `/echo` answers `METHOD URL` + the request body, with the request headers as `x-seen-<name>`;
 * `/chunked` streams a chunked body with an `x-sum` trailer; `/big` sends 64 KiB; `/ws` speaks WebSocket (echo of
 * one short text frame); anything else answers 200 `ok <path>`.
 */
export async function upstreamHttp(): Promise<{
  port: number;
  server: Server;
  hits: () => number;
  close(): Promise<void>;
}> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/echo') {
        for (const [k, v] of Object.entries(req.headers)) res.setHeader(`x-seen-${k}`, String(v));
        return void res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      }
      if (path === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-sum' });
        res.write('one,');
        setTimeout(() => {
          res.write('two,');
          res.addTrailers({ 'x-sum': '42' });
          res.end('three');
        }, 20);
        return;
      }
      if (path === '/big') return void res.end(Buffer.alloc(64 * 1024, 'b'));
      res.end(`ok ${path}`);
    });
  };
  const server = createServer(handle);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    res.writeContinue();
    handle(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const key = String(req.headers['sec-websocket-key']);
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on('data', (frame: Buffer) => {
      const opcode = (frame[0] as number) & 0x0f;
      const len = (frame[1] as number) & 0x7f;
      if (opcode !== 1 || len > 125) return void socket.destroy();
      const mask = frame.subarray(2, 6);
      const text = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ (mask[i % 4] as number)));
      const reply = Buffer.from(`echo:${text.toString()}`);
      socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    server,
    hits: () => hits,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `text` on `socket` and collects what comes back until the socket closes or `until` matches. */
export function exchange(
  socket: Socket,
  text: string | Buffer,
  until: (got: string) => boolean,
  timeoutMs = 3000,
): Promise<{ got: string; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    let got = '';
    let error: string | undefined;
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ got, closed, ...(error ? { error } : {}) });
    };
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (until(got)) done(false);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', onData);
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.once('close', () => done(true));
    if (text.length > 0) socket.write(text);
  });
}
