/**
 * The HTTP edge of the proxy server, on `node:http`: Toxiproxy's routing rules (404 text for unknown paths, 405
 * for a wrong method, 403 for browsers), the `{error, status}` envelope, the request-id header, `/metrics` and
 * the `/events` server-sent-event stream. Handlers never wait on the data plane.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { ApiError, badBody, toApiError } from './api-error.js';
import type { ProxyCollection } from './collection.js';
import { CHANGE, type ProxyEvent } from './events.js';
import { matchRoute, type Reply } from './routes.js';

/** Largest request body accepted (a populate of many proxies fits easily). */
const MAX_BODY = 4 * 1024 * 1024;

/** Options of the request handler. */
export interface ApiOptions {
  proxies: ProxyCollection;
  metrics: Registry;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

/** Builds the `(req, res)` handler of the API. */
export function apiHandler(options: ApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  let requests = 0;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, { status: 401, json: { error: 'missing or wrong bearer token', status: 401 } });
    }
    if (path === '/metrics') return void serveMetrics(options.metrics, res);
    if (path === '/events' && req.method === 'GET') return serveEvents(options.proxies, req, res);
    const match = matchRoute(path);
    if (!match) return sendText(res, 404, '404 page not found\n');
    const handler = match.route.methods[req.method ?? 'GET'];
    if (!handler) return sendText(res, 405, '');
    res.setHeader('X-Toxiproxy-Request-Id', requestId(++requests));
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      return sendText(res, 403, 'User agent not allowed\n');
    }
    Promise.resolve()
      .then(() => handler(options.proxies, { params: match.params, body: () => readJson(req) }))
      .then(
        (reply) => send(res, reply),
        (err: unknown) => {
          const e = toApiError(err);
          send(res, { status: e.status, json: { error: e.message, status: e.status } });
        },
      );
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 204 || reply.json === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const body = `${JSON.stringify(reply.json)}\n`;
  res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function serveMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  try {
    const text = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType }).end(text);
  } catch (err) {
    const e = toApiError(err);
    send(res, { status: 500, json: { error: e.message, status: 500 } });
  }
}

function serveEvents(proxies: ProxyCollection, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(': turbulence proxy events\n\n');
  const listener = (event: ProxyEvent): void => {
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  proxies.on(CHANGE, listener);
  req.on('close', () => proxies.off(CHANGE, listener));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ApiError(`request body larger than ${MAX_BODY} bytes`, 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(badBody('EOF'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(badBody(err instanceof Error ? err.message : String(err)));
      }
    });
  });
}

/** 20 characters, unique per server: a time prefix and a counter (not random: ids are not decisions). */
function requestId(n: number): string {
  return `${Date.now().toString(36)}${n.toString(36)}`.padStart(20, '0').slice(-20);
}
