/**
 * @module The opt-in control endpoint: a small JSON API over HTTP on loopback or a unix socket, through which a
 * driver (turbulence's `failpoint.set` fault, a test, curl) lists, sets and removes failpoints and rules.
 *
 *   GET    /health                   { pid, seed, rules: bool }
 *   GET    /failpoints               { seed, failpoints: [{ name, actions, hits, fired }] }
 *   GET    /failpoints/:name         { name, actions, hits, fired }            404 when unknown
 *   PUT    /failpoints/:name         body { "actions": "10%return(x)" } or the spec as text/plain
 *   DELETE /failpoints/:name         { removed: bool }
 *   GET    /rules  |  GET|PUT|DELETE /rules/:name   (when the register hook is loaded)
 *
 * Errors are `{ error, status }` (Toxiproxy's shape). Bound to anything but a literal loopback address
 * (127.0.0.0/8, ::1), `localhost` or a unix socket, the endpoint refuses to start without a token; with a token
 * every request needs `Authorization: Bearer TOKEN`. On loopback it answers only requests addressed to a loopback
 * name (DNS rebinding), and it refuses cross-site writes and POSTs that are not JSON (see `guard.ts`).
 */
import { lstatSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FailpointConfigError } from './errors.js';
import { isJson, isLoopbackHost, refusal } from './guard.js';
import { configure, get, list, registry, remove, setTracking } from './registry.js';
import { getRulesBackend } from './rules-backend.js';

/** Where and how to serve. */
export interface ServeOptions {
  /** `127.0.0.1:0` (default), `host:port`, or a unix socket path (`/run/app.sock`, `unix:/run/app.sock`). */
  address?: string;
  /** Required on every request when set; required to bind anything but loopback or a unix socket. */
  token?: string;
  /** A file to write `{ pid, address }` to once listening, so a driver can find the endpoint. */
  announceFile?: string;
}

/** A running control endpoint. */
export interface ControlServer {
  /** `http://127.0.0.1:43210` or `unix:/run/app.sock`: what a client connects to. */
  readonly address: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after answering (the rest of the body was not read). */
    readonly close = false,
  ) {
    super(message);
  }
}

/** `unix:/p`, `/p` or `./p` → socket path; `host:port` → TCP. */
export function parseAddress(address: string): { socketPath: string } | { host: string; port: number } {
  if (address.startsWith('unix:')) return { socketPath: address.slice(5) };
  if (address.startsWith('/') || address.startsWith('.')) return { socketPath: address };
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m)
    throw new FailpointConfigError(
      `expected host:port or a socket path, got "${address}"`,
      'TURBULENCE_FAILPOINTS_ADDR',
    );
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

/** Largest body (1 MiB); a larger one is read and dropped up to 16 MiB (so the connection stays usable), then 413. */
const MAX_BODY = 1 << 20;
const MAX_DRAIN = 16 * MAX_BODY;

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_DRAIN) {
    return Promise.reject(new HttpError(413, 'request body over 1 MiB', true));
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN) req.socket.destroy();
      else if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY) reject(new HttpError(413, 'request body over 1 MiB'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

async function actionsFrom(req: IncomingMessage): Promise<string> {
  const text = await readBody(req);
  if (!isJson(req.headers['content-type'])) return text.trim();
  const body = parseJson(text) as { actions?: unknown };
  if (typeof body?.actions !== 'string') throw new HttpError(400, 'expected { "actions": "<spec>" }');
  return body.actions;
}

async function failpointRoute(req: IncomingMessage, name: string): Promise<unknown> {
  if (req.method === 'GET') return get(name) ?? notFound(`failpoint ${name}`);
  if (req.method === 'DELETE') return { removed: remove(name) };
  if (req.method !== 'PUT' && req.method !== 'POST') throw new HttpError(405, `${req.method} not allowed`);
  configure(name, await actionsFrom(req));
  return get(name);
}

async function ruleRoute(req: IncomingMessage, name: string | undefined): Promise<unknown> {
  const rules = getRulesBackend();
  if (!rules) throw new HttpError(501, 'rules need the register hook: node --import @turbulence/failpoints/register');
  if (name === undefined) return { rules: rules.list() };
  if (req.method === 'GET') return rules.get(name) ?? notFound(`rule ${name}`);
  if (req.method === 'DELETE') return { removed: rules.remove(name) };
  if (req.method !== 'PUT' && req.method !== 'POST') throw new HttpError(405, `${req.method} not allowed`);
  return rules.set(name, parseJson(await readBody(req)));
}

function notFound(what: string): never {
  throw new HttpError(404, `${what} is not configured`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `malformed URL: ${JSON.stringify(segment)} is not a valid % escape`);
  }
}

async function route(req: IncomingMessage): Promise<unknown> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const [, head, rawName, extra] = path.split('/').map(decodeSegment);
  if (extra !== undefined) throw new HttpError(404, `no route ${path}`);
  const name = rawName === undefined || rawName === '' ? undefined : rawName;
  if (head === 'health' || head === '')
    return { pid: process.pid, seed: registry.seed, rules: getRulesBackend() !== undefined };
  if (head === 'failpoints' && name === undefined) return { seed: registry.seed, failpoints: list() };
  if (head === 'failpoints' && name !== undefined) return failpointRoute(req, name);
  if (head === 'rules') return ruleRoute(req, name);
  throw new HttpError(404, `no route ${path}`);
}

function handler(bind: { loopbackHost: boolean; token: string | undefined }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, body: unknown, close = false): void => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (close) headers.connection = 'close';
      res.writeHead(status, headers).end(JSON.stringify(body));
    };
    const refused = refusal(req.method ?? 'GET', req.headers, bind);
    if (refused) return reply(refused.status, { error: refused.message, status: refused.status });
    route(req).then(
      (body) => reply(200, body),
      (err: Error) => {
        const status = err instanceof HttpError ? err.status : err instanceof FailpointConfigError ? 400 : 500;
        reply(status, { error: err.message, status }, err instanceof HttpError && err.close);
      },
    );
  };
}

function announce(file: string, address: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, address }) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}

function listen(server: Server, where: ReturnType<typeof parseAddress>): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      const a = server.address();
      if (typeof a === 'string' || a === null) return resolve(`unix:${a ?? ''}`);
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    };
    if ('socketPath' in where) server.listen(where.socketPath, done);
    else server.listen(where.port, where.host, done);
  });
}

/**
 * Starts the control endpoint and turns on hit tracking (so listing shows every site reached). The server does
 * not keep the process alive.
 *
 * @example
 * const ctl = await serve({ address: '127.0.0.1:0', announceFile: '/tmp/app.failpoints.json' });
 * // curl -X PUT --data '1*panic' $(jq -r .address /tmp/app.failpoints.json)/failpoints/db.commit
 */
export async function serve(options: ServeOptions = {}): Promise<ControlServer> {
  const where = parseAddress(options.address ?? '127.0.0.1:0');
  if ('host' in where && !isLoopbackHost(where.host) && !options.token) {
    throw new FailpointConfigError(`binding ${where.host} needs a token (TURBULENCE_FAILPOINTS_TOKEN)`, 'serve');
  }
  if ('socketPath' in where) removeStaleSocket(where.socketPath);
  const loopbackHost = 'host' in where && isLoopbackHost(where.host);
  const server = createServer(handler({ loopbackHost, token: options.token }));
  const address = await listen(server, where);
  server.unref();
  setTracking(true);
  const file = options.announceFile;
  const forget = (): void => {
    try {
      if (file) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  if (file) {
    announce(file, address);
    process.once('exit', forget);
  }
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        forget();
        process.off('exit', forget);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
