/**
 * Fixtures for HTTP/2 proxy tests: an upstream that speaks HTTP/1.1 and h2c on one port (as a real dual-stack
 * server), and a small `node:http2` client that never throws (a reset stream is an outcome, not an error).
 */
import { once } from 'node:events';
import { createServer as createHttp1, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  connect as h2connect,
  createServer as createHttp2,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type IncomingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import { createServer as createNet, type Socket } from 'node:net';

/**
 * Routes: `/echo…` answers `METHOD URL HTTP-version` + the request body, with the request headers as
 * `x-seen-<name>`; `/trailers` sends a body and an `x-sum` trailer; anything else `ok <path> <version>`.
 */
export async function upstreamDual(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  /** What the handler uses of a response, common to `node:http` and the `node:http2` compatibility API. */
  interface Res {
    setHeader(name: string, value: string): unknown;
    write(chunk: string): unknown;
    addTrailers(headers: Record<string, string>): void;
    end(chunk?: string): unknown;
  }
  const handle = (req: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse): void => {
    const res = response as unknown as Res;
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (path.startsWith('/echo')) {
        for (const [k, v] of Object.entries(req.headers))
          if (!k.startsWith(':')) res.setHeader(`x-seen-${k}`, String(v));
        return void res.end(`${req.method} ${req.url} ${req.httpVersion} ${Buffer.concat(chunks).toString()}`);
      }
      if (path === '/trailers') {
        res.setHeader('trailer', 'x-sum');
        res.write('one,');
        res.addTrailers({ 'x-sum': '42' });
        return void res.end('two');
      }
      res.end(`ok ${path} ${req.httpVersion}`);
    });
  };
  const h1 = createHttp1(handle);
  const h2 = createHttp2(handle);
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const sockets = new Set<Socket>();
  const server = createNet({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('readable', function first() {
      const chunk = socket.read() as Buffer | null;
      if (!chunk) return void socket.once('readable', first);
      socket.unshift(chunk);
      const n = Math.min(chunk.length, preface.length);
      (chunk.subarray(0, n).equals(preface.subarray(0, n)) ? h2 : h1).emit('connection', socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    hits: () => hits,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One HTTP/2 exchange as the client saw it. */
export interface H2Seen {
  status: number;
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: string;
  ms: number;
  /** The stream's error code (`ERR_HTTP2_STREAM_ERROR` for a reset stream), when it failed. */
  error?: string;
}

/** An HTTP/2 client session (`http://` = h2c with prior knowledge, `https://` = h2 by ALPN). */
export function h2session(url: string, options: SecureClientSessionOptions = {}): ClientHttp2Session {
  const session = h2connect(url, options);
  session.on('error', () => {});
  return session;
}

/** One request on `session`, never throwing. */
export function h2get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<H2Seen> {
  const start = performance.now();
  return new Promise((resolve) => {
    const seen: H2Seen = { status: 0, headers: {}, trailers: {}, body: '', ms: 0 };
    let req: ClientHttp2Stream;
    try {
      req = session.request({ ':path': path, ':method': body === undefined ? 'GET' : 'POST', ...headers });
    } catch (err) {
      return resolve({ ...seen, error: (err as NodeJS.ErrnoException).code ?? 'error' });
    }
    const timer = setTimeout(() => req.close(), 5000);
    req.on('response', (h) => {
      seen.status = Number(h[':status']);
      seen.headers = h;
    });
    req.on('trailers', (t: IncomingHttpHeaders) => void (seen.trailers = t));
    req.setEncoding('utf8');
    req.on('data', (d: string) => (seen.body += d));
    req.on('error', (err: NodeJS.ErrnoException) => (seen.error = err.code ?? err.message));
    req.on('close', () => {
      clearTimeout(timer);
      resolve({ ...seen, ms: performance.now() - start });
    });
    if (body !== undefined) req.end(body);
  });
}
