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
 * Errors are `{ error, status }` (Toxiproxy's shape). Bound to anything but loopback or a unix socket, the
 * endpoint refuses to start without a token; with a token every request needs `Authorization: Bearer TOKEN`.
 */
import { timingSafeEqual } from 'node:crypto';
import { lstatSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { FailpointConfigError } from './errors.js';
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

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1 << 20) throw new HttpError(413, 'request body over 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  if (!(req.headers['content-type'] ?? '').includes('json')) return text.trim();
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

async function route(req: IncomingMessage): Promise<unknown> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const [, head, rawName, extra] = path.split('/');
  if (extra !== undefined) throw new HttpError(404, `no route ${path}`);
  const name = rawName === undefined || rawName === '' ? undefined : decodeURIComponent(rawName);
  if (head === 'health' || head === '')
    return { pid: process.pid, seed: registry.seed, rules: getRulesBackend() !== undefined };
  if (head === 'failpoints' && name === undefined) return { seed: registry.seed, failpoints: list() };
  if (head === 'failpoints' && name !== undefined) return failpointRoute(req, name);
  if (head === 'rules') return ruleRoute(req, name);
  throw new HttpError(404, `no route ${path}`);
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const got = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

function handler(token: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!authorized(req, token)) return reply(401, { error: 'missing or wrong bearer token', status: 401 });
    route(req).then(
      (body) => reply(200, body),
      (err: Error) => {
        const status = err instanceof HttpError ? err.status : err instanceof FailpointConfigError ? 400 : 500;
        reply(status, { error: err.message, status });
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
  if ('host' in where && !isLoopback(where.host) && !options.token) {
    throw new FailpointConfigError(`binding ${where.host} needs a token (TURBULENCE_FAILPOINTS_TOKEN)`, 'serve');
  }
  if ('socketPath' in where) removeStaleSocket(where.socketPath);
  const server = createServer(handler(options.token));
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
