/**
 * The HTTP edge of the proxy server, on the control layer (`src/control/`): Toxiproxy's routing rules (404 text
 * for unknown paths, 405 for a wrong method, 403 for browsers, the request-id header on matched routes), the
 * `{error, status}` envelope, `/metrics` and the `/events` server-sent-event stream. Bodies reach handlers as
 * text and are parsed when the handler asks, so the checks keep Toxiproxy's order (an unknown toxic is a 404
 * even when the body is not JSON). Handlers never wait on the data plane.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Registry } from 'prom-client';
import { badBody } from './api-error.js';
import type { ProxyCollection } from './collection.js';
import { CHANGE, type ProxyEvent } from './events.js';
import { routes, type Handler, type Reply } from './routes.js';

/** Options of the API. */
export interface ApiOptions {
  proxies: ProxyCollection;
  metrics: Registry;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/** Toxiproxy's answer to an unknown path (text, no request id). */
export function notFoundText(_request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
}

/** Registers every route of the proxy API on `app` (made by `createControlServer` with `body: 'text'`). */
export function registerProxyApi(app: FastifyInstance, options: ApiOptions): void {
  let requests = 0;
  const matched = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const params = request.params as Record<string, string>;
    if (Object.values(params).some((v) => v === '')) return notFoundText(request, reply);
    void reply.header('X-Toxiproxy-Request-Id', requestId(++requests));
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      void reply.code(403).type('text/plain; charset=utf-8').send('User agent not allowed\n');
      return;
    }
    done();
  };
  for (const route of routes) {
    for (const [method, handler] of Object.entries(route.methods)) {
      app.route({ method, url: route.path, onRequest: matched, handler: run(options.proxies, handler) });
    }
    const others = METHODS.filter((m) => !(m in route.methods));
    app.route({ method: [...others], url: route.path, handler: (_req, reply) => void reply.code(405).send() });
  }
  app.all('/metrics', async (_request, reply) => {
    const text = await options.metrics.metrics();
    return reply.type(options.metrics.contentType).send(text);
  });
  app.get('/events', (request, reply) => serveEvents(options.proxies, request, reply));
}

function run(proxies: ProxyCollection, handler: Handler): RouteHandlerMethod {
  return async (request, reply) => {
    const params = request.params as Record<string, string>;
    const answer = await handler(proxies, { params, body: () => parseBody(request.body) });
    send(reply, answer);
  };
}

function send(reply: FastifyReply, answer: Reply): void {
  if (answer.status === 204 || answer.json === undefined) return void reply.code(answer.status).send();
  void reply
    .code(answer.status)
    .type('application/json')
    .send(`${JSON.stringify(answer.json)}\n`);
}

/** Toxiproxy decodes one JSON value; an empty body is `bad request body: EOF`. */
function parseBody(body: unknown): Promise<unknown> {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return Promise.reject(badBody('EOF'));
  try {
    return Promise.resolve(JSON.parse(text));
  } catch (err) {
    return Promise.reject(badBody(err instanceof Error ? err.message : String(err)));
  }
}

function serveEvents(proxies: ProxyCollection, request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(': turbulence proxy events\n\n');
  const listener = (event: ProxyEvent): void => {
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  proxies.on(CHANGE, listener);
  request.raw.on('close', () => proxies.off(CHANGE, listener));
}

/** 20 characters, unique per server: a time prefix and a counter (not random: ids are not decisions). */
function requestId(n: number): string {
  return `${Date.now().toString(36)}${n.toString(36)}`.padStart(20, '0').slice(-20);
}
