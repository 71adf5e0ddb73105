/**
 * `createControlServer(...)`: the one HTTP layer under turbulence's control APIs (the proxy API, the DNS control
 * API, the dashboard). A fastify instance with the checks of `guard.ts` in one `onRequest` hook, a body limit
 * that answers 413 and keeps the connection usable, one error mapper (`errors.ts`), JSON bodies parsed once (or
 * handed over as text when an API parses them itself, as the Toxiproxy API does to keep its error order), and
 * `listenControl` to bind it.
 *
 *   request ─▶ router (bad % escape → 400) ─▶ onRequest: Host, cross-site, token, content type ─▶ body (limit)
 *           ─▶ schema validation ─▶ handler ─▶ reply            any throw ─▶ errorReply ─▶ {error, status}
 */
import { isIP, type Socket } from 'node:net';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { ControlError, errorReply } from './errors.js';
import { checkRequest } from './guard.js';
import { isLoopbackHost } from './loopback.js';

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1 << 20;

/** Options of {@link createControlServer}. */
export interface ControlServerOptions {
  /** Interface the API will bind; a non-loopback one needs `token`. */
  host: string;
  /** Bearer token every request must carry; mandatory off loopback. */
  token?: string | undefined;
  /** Largest body in bytes (default {@link DEFAULT_BODY_LIMIT}); a larger one answers 413. */
  bodyLimit?: number;
  /** `json` (default): JSON bodies are parsed before the handler; `text`: handlers get the raw text. */
  body?: 'json' | 'text';
  /** A pino logger for requests and errors; default none. */
  logger?: FastifyBaseLogger;
  /** Answers unknown routes (default `{error: "no route M P", status: 404}`). */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => void;
  /** The error raised when the host is not loopback and there is no token. */
  refuseOpenBind: (host: string) => Error;
  /**
   * GET requests this returns true for need no token (the dashboard's static files: a browser cannot add a bearer
   * header when it loads a page). The other checks still apply.
   */
  public?: (path: string) => boolean;
}

/**
 * A fastify instance with turbulence's control-API rules; register routes on it, then {@link listenControl}.
 *
 * @example
 * const app = createControlServer({ host: '127.0.0.1', refuseOpenBind: (h) => new Error(`${h} needs a token`) });
 * app.get('/health', () => ({ status: 'ok' }));
 * const { url } = await listenControl(app, '127.0.0.1', 0);
 */
export function createControlServer(options: ControlServerOptions): FastifyInstance {
  if (!isLoopbackHost(options.host) && !options.token) throw options.refuseOpenBind(options.host);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    bodyLimit,
    exposeHeadRoutes: false,
    keepAliveTimeout: 60_000,
    requestTimeout: 30_000,
    forceCloseConnections: true,
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    frameworkErrors: (error, _request, reply) => sendError(reply, error),
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  const guard = { bindHost: options.host, token: options.token };
  const open = { bindHost: options.host };
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      const isPublic = request.method === 'GET' && options.public?.(pathOf(request)) === true;
      checkRequest(request.method, request.headers, isPublic ? open : guard);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  app.removeAllContentTypeParsers();
  const asText = options.body === 'text';
  app.addContentTypeParser(/^application\/(?:[^;]*\+)?json/i, { parseAs: 'string' }, (_r, body, done) => {
    const text = String(body);
    if (asText || text === '') return done(null, text === '' ? undefined : text);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new ControlError(`request body is not JSON: ${(err as Error).message}`, 400), undefined);
    }
  });
  // Bodies of other types only reach GET-like routes (the guard refuses them on writes): ignored.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, _body, done) => done(null, undefined));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') keepConnection(request, reply, bodyLimit);
    sendError(reply, error);
  });
  app.setNotFoundHandler(
    options.notFound ??
      ((request, reply) => sendError(reply, new ControlError(`no route ${request.method} ${pathOf(request)}`, 404))),
  );
  return app;
}

/** Sends the `{error, status}` answer for any error (a JSON line, as Toxiproxy does). */
export function sendError(reply: FastifyReply, error: unknown): void {
  const { status, body } = errorReply(error);
  void reply
    .code(status)
    .type('application/json')
    .send(`${JSON.stringify(body)}\n`);
}

/** The path of a request, without the query. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}

/**
 * Binds the server; resolves with its base URL and port. A bind failure is a turbulence `UNAVAILABLE` error.
 *
 * @example
 * const { url, port } = await listenControl(app, '127.0.0.1', 8474);
 */
export async function listenControl(
  app: FastifyInstance,
  host: string,
  port: number,
  what = 'control API',
): Promise<{ url: string; port: number }> {
  try {
    await app.listen({ host, port, listenTextResolver: () => '' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `cannot serve the ${what} on ${host}:${port}: ${e.message}`, {
      hint: e.code === 'EADDRINUSE' ? 'another server uses this port: pick another with --port' : undefined,
      cause: err,
    });
  }
  const address = app.server.address();
  const bound = address && typeof address === 'object' ? address.port : port;
  return { url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${bound}`, port: bound };
}

/** A request the HTTP parser refused (bad framing, huge headers): a JSON 400 (431 for headers), then close. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  const body = `${JSON.stringify({ error: `malformed HTTP request (${error.code ?? error.message})`, status })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/**
 * After a 413, fastify closes the connection (the rest of the body is unread). Drain a body of bounded size
 * instead, so a keep-alive client's next request is answered; past 16× the limit the connection still closes.
 */
function keepConnection(request: FastifyRequest, reply: FastifyReply, bodyLimit: number): void {
  const cap = Math.max(16 * bodyLimit, 1 << 20);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) return;
  reply.removeHeader('connection');
  let drained = 0;
  const raw = request.raw;
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > cap) raw.socket.destroy();
  });
  raw.resume();
}
