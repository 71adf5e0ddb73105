/**
 * The HTTP control API of a chaos DNS server. Binds to loopback by default; anywhere else it needs a token.
 * Errors use Toxiproxy's shape, `{ "error": "...", "status": 404 }`, plus our `code` and `hint`.
 *
 *   GET    /health          { status: "ok", dns, upstream, seed }
 *   GET    /rules           rules with their hit counts
 *   POST   /rules           add a rule (id optional; 409 when the id exists)
 *   GET    /rules/:id       one rule
 *   PUT    /rules/:id       add or replace the rule with that id
 *   DELETE /rules/:id       remove one rule (404 when absent)
 *   DELETE /rules           remove every rule
 *   GET    /stats           counters (queries, answered, dropped, reset, by rcode) and rules
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../core/errors.js';
import { formatHostPort, type HostPort } from './address.js';
import type { DnsCache } from './cache.js';
import type { DnsRuleStatus, RuleEngine } from './engine.js';

/** A running control API. */
export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

/**
 * What the control API drives: the parts of a `DnsServer` it calls. Declared here, not imported from `server.ts`,
 * so the server can start its API without an import cycle.
 */
export interface DnsControlTarget {
  readonly engine: Pick<RuleEngine, 'clear' | 'get'>;
  readonly seed: number;
  readonly cache: Pick<DnsCache, 'clear'> | undefined;
  readonly upstreamAddress: string;
  stats(): object;
  listRules(): DnsRuleStatus[];
  addRule(rule: unknown): DnsRuleStatus;
  removeRule(id: string): boolean;
}

const MAX_BODY = 1 << 20;

/** Starts the control API for `server` on `at`. */
export async function startControlApi(server: DnsControlTarget, at: HostPort, token?: string): Promise<ControlApi> {
  if (!isLoopback(at.host) && !token) {
    throw new TurbulenceError(ErrorCodes.USAGE, `the DNS control API may bind to ${at.host} only with a token`, {
      hint: 'bind it to 127.0.0.1, or set a token (--api-token / apiToken)',
    });
  }
  const http = createServer((req, res) => {
    void route(server, req, res, token).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(at.port, at.host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : at.port;
  return {
    url: `http://${formatHostPort({ host: at.host, port })}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

async function route(
  server: DnsControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  token?: string,
): Promise<void> {
  if (token && !authorized(req, token)) return send(res, 401, { error: 'missing or wrong bearer token', status: 401 });
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
  const id = /^\/rules\/([^/]+)$/.exec(path)?.[1];
  const rule = id === undefined ? undefined : decodeURIComponent(id);
  const m = req.method ?? 'GET';
  if (m === 'GET' && path === '/health') {
    return send(res, 200, { status: 'ok', upstream: server.upstreamAddress, seed: server.seed });
  }
  if (m === 'GET' && path === '/stats') return send(res, 200, server.stats());
  if (m === 'DELETE' && path === '/cache') {
    if (!server.cache) return send(res, 404, { error: 'the answer cache is off (--no-cache)', status: 404 });
    server.cache.clear();
    return send(res, 204);
  }
  if (path === '/rules') {
    if (m === 'GET') return send(res, 200, server.listRules());
    if (m === 'DELETE') return (void server.engine.clear(), send(res, 204));
    if (m === 'POST') {
      const body = (await readJson(req)) as { id?: unknown };
      if (typeof body?.id === 'string' && server.engine.get(body.id)) {
        return send(res, 409, { error: `a DNS rule with id ${JSON.stringify(body.id)} exists`, status: 409 });
      }
      return send(res, 201, server.addRule(body));
    }
  }
  if (rule !== undefined) {
    const existing = server.engine.get(rule);
    if (m === 'GET') return existing ? send(res, 200, existing) : notFound(res, rule);
    if (m === 'PUT') {
      const body = await readJson(req);
      return send(res, 200, server.addRule({ ...(body as object), id: rule }));
    }
    if (m === 'DELETE') return server.removeRule(rule) ? send(res, 204) : notFound(res, rule);
  }
  send(res, 404, { error: `no route ${m} ${path}`, status: 404 });
}

function notFound(res: ServerResponse, id: string): void {
  send(res, 404, {
    error: `no DNS rule with id ${JSON.stringify(id)}`,
    status: 404,
    hint: 'list the rules with GET /rules',
  });
}

function authorized(req: IncomingMessage, token: string): boolean {
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new TurbulenceError(ErrorCodes.USAGE, 'request body larger than 1 MiB');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.USAGE, `request body is not JSON: ${errorMessage(err)}`, {
      hint: 'send a rule as JSON, e.g. {"name":"svc.test","action":"nxdomain"}',
    });
  }
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (!isTurbulenceError(err)) return send(res, 500, { error: errorMessage(err), status: 500 });
  const status = 400;
  send(res, status, {
    error: err.message,
    status,
    code: err.code,
    hint: err.hint,
    details: err.details.map((d) => d.format()),
  });
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) return void res.writeHead(status).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
