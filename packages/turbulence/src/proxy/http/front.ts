/**
 * The front end of a `protocol: http` proxy: a `node:http` server that parses each request (keep-alive,
 * pipelining, chunked bodies and `Expect: 100-continue` are Node's own, well-fuzzed parser), decides per request
 * which HTTP toxics apply, and forwards to the upstream over keep-alive connections.
 *
 * ```
 *   client ──HTTP/1.1──▶ node:http server ──request──▶ match + draw per toxic ──▶ Plan
 *                                                       │ no plan: relay as is (the fast path)
 *                                                       └ else: abort | delay | answer | edit headers/body
 *   upstream ◀──undici Pool── relay.ts ◀───────────────┤ (no plan, and a request undici sends as it came)
 *   upstream ◀──keep-alive http.Agent── forward ◀──────┘ (plans, Expect: 100-continue, odd requests)
 *   Upgrade (WebSocket, h2c): raw sockets piped both ways, untouched.
 * ```
 *
 * Malformed HTTP from a client closes that connection (a 400 when nothing was sent yet) and counts a client
 * error; a malformed or failed upstream answer is a 502 with `Connection: close` (or a closed connection once
 * the response started) and counts an upstream error. Nothing here throws into the event loop.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect, createServer as createNetServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { splitHostPort } from '../address.js';
import { HttpConnection, type RequestRecord } from './connection.js';
import { decide, setOutcome } from './decide.js';
import { H2Front } from './h2-front.js';
import { Relay, relayHeaders, relayPool, type RelayHost } from './relay.js';
import type { Plan } from './toxic.js';
import {
  cutAfter,
  editBody,
  editHeaders,
  flatten,
  later,
  MAX_EDITED_BODY,
  readBody,
  responseEdits,
  strip,
  withBody,
  withClientCert,
  type Flat,
} from './wire.js';

import type { HttpHost } from './host.js';

export type { HttpHost };

/** The protocols an HTTP proxy offers in TLS ALPN, preferred first. */
export const HTTP_ALPN = ['h2', 'http/1.1'];

/** The HTTP/2 connection preface a prior-knowledge (h2c) client starts with. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** The HTTP front end of one proxy. */
export class HttpFront implements RelayHost {
  /** The HTTP/1.1 server (fed sockets by {@link accept}; it never listens itself). */
  readonly server: Server;
  /** The listener of a plain (non-TLS) HTTP proxy: every socket goes through {@link accept}. */
  readonly listener: NetServer;
  private h2: H2Front | undefined;
  private readonly host: HttpHost;
  private readonly seed: number;
  private readonly agent: Agent;
  /** The upstream pool of requests no toxic was selected for ({@link Relay}). */
  private readonly pool: ReturnType<typeof relayPool> | undefined;
  private readonly send: typeof httpRequest;
  private readonly target: { host: string; port: number } | undefined;
  private readonly bySocket = new WeakMap<Socket, HttpConnection>();
  private nextId = 0;

  constructor(host: HttpHost, seed: number) {
    this.host = host;
    this.seed = seed;
    this.target = splitHostPort(host.upstream);
    const secure = host.upstreamTls;
    const servername = this.target && !isIP(this.target.host) ? { servername: this.target.host } : {};
    this.agent = secure
      ? new HttpsAgent({ keepAlive: true, scheduling: 'lifo', ...secure, ...servername })
      : new Agent({ keepAlive: true, scheduling: 'lifo' });
    this.send = secure ? httpsRequest : httpRequest;
    this.pool = this.target && relayPool(this.target, secure, servername);
    this.server = createServer({ noDelay: true, requestTimeout: 0 }, (req, res) => this.onRequest(req, res, false));
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, true));
    this.server.on('connection', this.onConnection);
    this.server.on('clientError', this.onClientError);
    this.server.on('upgrade', this.onUpgrade);
    this.listener = createNetServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  /** Stops listening and drops the upstream pools (the proxy destroys the client connections). */
  close(): void {
    if (this.listener.listening) this.listener.close();
    this.agent.destroy();
    this.pool?.destroy().catch(() => {});
    this.h2?.close();
  }

  /**
   * Takes one client socket (plain, or decrypted by the TLS front end): HTTP/2 when TLS negotiated `h2` or the
   * client starts with the HTTP/2 preface (h2c with prior knowledge), HTTP/1.1 otherwise.
   */
  accept(socket: Socket): void {
    if ((socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2') return this.http2(socket, 'h2');
    let seen: Buffer = Buffer.alloc(0);
    const onReadable = (): void => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null;) {
        seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      }
      const n = Math.min(seen.length, PREFACE.length);
      const h2 = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (n === 0 || (h2 && n < PREFACE.length)) return;
      socket.off('readable', onReadable);
      socket.off('error', onError);
      socket.unshift(seen);
      if (h2) this.http2(socket, 'encrypted' in socket ? 'h2' : 'h2c');
      else this.server.emit('connection', socket);
    };
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    socket.on('readable', onReadable);
  }

  private http2(socket: Socket, protocol: 'h2' | 'h2c'): void {
    const connection = new HttpConnection(socket, ++this.nextId, this.seed, protocol);
    this.host.track(connection);
    socket.once('close', () => this.host.untrack(connection));
    this.h2 ??= new H2Front(this.host, this.target, { agent: this.agent, send: this.send });
    this.h2.accept(socket, connection);
  }

  private readonly onConnection = (socket: Socket): void => {
    const connection = new HttpConnection(socket, ++this.nextId, this.seed, 'http/1.1');
    this.bySocket.set(socket, connection);
    this.host.track(connection);
    socket.once('close', () => this.host.untrack(connection));
  };

  private readonly onClientError = (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code !== 'ECONNRESET') this.host.http.errors.client++;
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent && err.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    this.host.http.upgrades++;
    socket.on('error', () => upstream.destroy());
    const target = this.target;
    if (!target) return void socket.destroy();
    const secure = this.host.upstreamTls;
    const upstream = secure
      ? tlsConnect({ ...secure, host: target.host, port: target.port, ALPNProtocols: ['http/1.1'] })
      : connect({ host: target.host, port: target.port, noDelay: true });
    upstream.on('error', () => socket.destroy());
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  };

  private onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const connection = this.bySocket.get(req.socket);
    const decision = connection
      ? decide(this.host, connection, { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers })
      : undefined;
    if (!decision?.plan) return this.forward(req, res, undefined, expectContinue, decision?.record);
    this.execute(req, res, decision.plan, expectContinue, decision.record);
  }

  private execute(
    req: IncomingMessage,
    res: ServerResponse,
    plan: Plan,
    expectContinue: boolean,
    record: RequestRecord,
  ): void {
    if (plan.abortBefore) {
      this.outcome(record, 'aborted', 0);
      req.socket.resetAndDestroy();
      return;
    }
    later(req.socket, plan.requestDelayMs, () => {
      if (plan.answer) this.answer(req, res, plan, record);
      else this.forward(req, res, plan, expectContinue, record);
    });
  }

  /** `http_status`: the answer, without touching the upstream. */
  private answer(req: IncomingMessage, res: ServerResponse, plan: Plan, record: RequestRecord): void {
    const answer = plan.answer as NonNullable<Plan['answer']>;
    req.resume();
    const body = Buffer.from(answer.body);
    const noBody = answer.status < 200 || answer.status === 204 || answer.status === 304;
    const headers: OutgoingHttpHeaders = { ...answer.headers };
    if (!noBody) headers['content-length'] = body.length;
    this.outcome(record, 'answered', answer.status);
    later(req.socket, plan.headersDelayMs, () => {
      res.writeHead(answer.status, editHeaders(flatten(headers), plan.responseHeaders));
      res.end(noBody ? undefined : body);
    });
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    plan: Plan | undefined,
    expectContinue: boolean,
    record: RequestRecord | undefined,
  ): void {
    const target = this.target;
    if (!target) return this.fail(res, record, new Error(`bad upstream ${this.host.upstream}`));
    const clientCert = this.host.tls !== undefined && this.host.tls.clientAuth !== 'none';
    if (!plan && !expectContinue && this.pool) {
      const relay = relayHeaders(req.url ?? '/', req.rawHeaders);
      if (relay) {
        const { body } = relay;
        const sent = clientCert ? withClientCert(relay.headers, req.socket) : relay.headers;
        return Relay.send(this.pool, this, res, record, sent, body);
      }
    }
    let headers = requestHeaders(req.rawHeaders);
    if (clientCert) headers = withClientCert(headers, req.socket);
    if (plan && plan.requestHeaders.length > 0) headers = editHeaders(headers, plan.requestHeaders);
    const bodyEdit = plan?.requestBody;
    const send = (body: Buffer | undefined): void => {
      if (body !== undefined) headers = withBody(headers, body.length, true);
      const out = this.send({
        host: target.host,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: headers as unknown as OutgoingHttpHeaders,
        agent: this.agent,
        setHost: false,
      });
      out.on('error', (err) => this.fail(res, record, err));
      out.on('response', (up) => this.respond(res, up, plan, record, out));
      res.once('close', () => {
        if (!res.writableFinished) out.destroy();
      });
      if (body !== undefined) out.end(body);
      else if (expectContinue) {
        out.once('continue', () => {
          res.writeContinue();
          req.pipe(out);
        });
      } else req.pipe(out);
    };
    if (bodyEdit === undefined) return send(undefined);
    if (expectContinue) res.writeContinue();
    readBody(req, MAX_EDITED_BODY).then(
      (body) => send(editBody(body, bodyEdit)),
      () => {
        this.outcome(record, 'error', 413);
        res.writeHead(413, { connection: 'close', 'content-length': 0 }).end();
      },
    );
  }

  private respond(
    res: ServerResponse,
    up: IncomingMessage,
    plan: Plan | undefined,
    record: RequestRecord | undefined,
    out: ReturnType<typeof httpRequest>,
  ): void {
    const status = up.statusCode ?? 502;
    this.outcome(record, 'forwarded', status);
    if (res.req.socket.destroyed) return void up.resume();
    let headers = responseHeaders(up.rawHeaders);
    up.on('error', () => res.destroy());
    if (!plan) {
      res.writeHead(status, up.statusMessage, headers);
      pipeWithTrailers(up, res);
      return;
    }
    const edited = responseEdits(headers, plan);
    headers = edited.headers;
    const { replacement, limit, reset } = edited;
    if (reset) this.outcome(record, 'aborted', status);
    later(res.req.socket, plan.headersDelayMs, () => {
      res.writeHead(status, up.statusMessage, headers);
      res.flushHeaders();
      later(res.req.socket, plan.bodyDelayMs, () => {
        if (replacement !== undefined && limit === undefined) {
          up.resume();
          res.end(replacement);
          return;
        }
        if (limit === undefined) return pipeWithTrailers(up, res);
        const source = replacement ?? undefined;
        cutAfter(up, res, source, limit, () => {
          out.destroy();
          if (reset) res.req.socket.resetAndDestroy();
          else res.req.socket.destroy();
        });
      });
    });
  }

  /** An upstream failure: a 502 with `Connection: close`, or a closed connection once the response started. */
  fail(res: ServerResponse, record: RequestRecord | undefined, err: Error, client: Socket = res.req.socket): void {
    this.host.http.errors.upstream++;
    this.outcome(record, 'error', res.headersSent ? res.statusCode : 502);
    if (res.headersSent || client.destroyed) return void client.destroy();
    const reason = errorCode(err);
    const body = `turbulence proxy ${this.host.name}: upstream error: ${reason}\n`;
    res.writeHead(502, {
      connection: 'close',
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  /** Sets a request's outcome (and the outcome counters). */
  outcome(record: RequestRecord | undefined, outcome: RequestRecord['outcome'], status: number): void {
    setOutcome(this.host.http, record, outcome, status);
  }
}

/**
 * The code a 502 names: the error's own (`ECONNREFUSED`, `HPE_INVALID_STATUS`, ...). undici's parse errors carry
 * no code (it looks the llhttp name up by number the wrong way round), so theirs is built from llhttp's reason:
 * `HPE_` + "Invalid status code" → `HPE_INVALID_STATUS_CODE`.
 */
function errorCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined) return code;
  const reason = err.name === 'HTTPParserError' ? /\(([^()]+)\)$/.exec(err.message)?.[1] : undefined;
  return reason ? `HPE_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}` : err.message;
}

/** A request's raw headers minus hop-by-hop ones (and those the Connection header names). */
function requestHeaders(raw: readonly string[]): Flat {
  return strip(raw, false);
}

/** A response's raw headers minus hop-by-hop ones and Transfer-Encoding (Node frames the body for the client). */
function responseHeaders(raw: readonly string[]): Flat {
  return strip(raw, true);
}

/** Pipes a response body, then its trailers. */
function pipeWithTrailers(up: IncomingMessage, res: ServerResponse): void {
  up.once('end', () => {
    if (up.rawTrailers.length > 0) res.addTrailers(pairs(up.rawTrailers));
  });
  up.pipe(res);
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
