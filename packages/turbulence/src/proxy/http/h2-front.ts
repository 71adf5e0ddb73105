/**
 * The HTTP/2 side of a `protocol: http` proxy, on `node:http2`: h2c with prior knowledge, and h2 negotiated by
 * TLS ALPN when the proxy terminates TLS. Each stream is one request: the same decision as HTTP/1.1
 * (`decide.ts`: match, seeded draw, {@link Plan}), carried out with HTTP/2's own means.
 *
 * ```
 *   client ──h2/h2c──▶ Http2Session ──stream──▶ decide() ──▶ Plan
 *                                                 │ no toxic: forward as is
 *                                                 └ abort: RST_STREAM | delay | answer (trailers-only for gRPC)
 *   upstream ◀── one multiplexed ClientHttp2Session (h2c, or h2 over TLS with tls.upstream) ◀── forward
 * ```
 *
 * Differences from HTTP/1.1, because HTTP/2 multiplexes streams on one connection: `http_abort` resets the
 * stream (RST_STREAM, INTERNAL_ERROR), not the connection; a truncated response body ends its stream early
 * (without Content-Length and trailers); an `http_status` in 1xx resets the stream (HTTP/2 has no final 1xx).
 * Trailers (gRPC's `grpc-status`) are forwarded, and an upstream's trailers-only answer stays trailers-only.
 */
import {
  connect,
  constants,
  createServer,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2Server,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Agent, IncomingMessage, request as httpRequest } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Readable } from 'node:stream';
import { joinHostPort } from '../address.js';
import type { HttpConnection, RequestRecord } from './connection.js';
import { decide, setOutcome } from './decide.js';
import type { HttpHost } from './host.js';
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

/** The HttpConnection of a client socket, read back through the session's socket proxy. */
const CONNECTION = Symbol('turbulence.http.connection');

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = constants;

/** Give up asking a cleartext upstream whether it speaks HTTP/2 after this long (then: HTTP/1.1). */
const PROBE_MS = 2_000;

/** How the HTTP/1.1 front end reaches the upstream (reused when the upstream does not speak HTTP/2). */
export interface H1Upstream {
  readonly agent: Agent;
  readonly send: typeof httpRequest;
}

/** The HTTP/2 front end of one HTTP proxy (created on its first HTTP/2 client). */
export class H2Front {
  private readonly server: Http2Server;
  private readonly host: HttpHost;
  private readonly target: { host: string; port: number } | undefined;
  private readonly h1: H1Upstream;
  private upstream: ClientHttp2Session | undefined;
  private probe: Promise<boolean> | undefined;
  private probeFailed = false;

  constructor(host: HttpHost, target: { host: string; port: number } | undefined, h1: H1Upstream) {
    this.host = host;
    this.target = target;
    this.h1 = h1;
    this.server = createServer({ maxSessionMemory: 32 });
    this.server.on('stream', this.onStream);
    // A client that breaks the protocol (bad frames, bad HPACK, flow-control abuse) gets a GOAWAY and its
    // connection closed by nghttp2; the error is counted as a client error, as for malformed HTTP/1.1.
    this.server.on('sessionError', () => void this.host.http.errors.client++);
  }

  /** Starts an HTTP/2 session on a client socket (its preface may already be unshifted back into it). */
  accept(socket: Socket, connection: HttpConnection): void {
    (socket as unknown as Record<symbol, HttpConnection>)[CONNECTION] = connection;
    // A TLSSocket made by the TLS front end (not a tls.Server) keeps `secureConnecting` set after its handshake,
    // and an HTTP/2 session would wait for a 'secureConnect' that a server socket never emits.
    const tls = socket as Socket & { secureConnecting?: boolean };
    if (tls.secureConnecting) tls.secureConnecting = false;
    this.server.emit('connection', socket);
  }

  /** Closes the upstream session (the proxy destroys the client sockets). */
  close(): void {
    this.upstream?.destroy();
    this.upstream = undefined;
  }

  private readonly onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    _flags: number,
    rawHeaders: string[],
  ): void => {
    stream.on('error', () => {});
    const connection = (stream.session?.socket as unknown as Record<symbol, HttpConnection | undefined>)[CONNECTION];
    const method = headers[':method'] ?? 'GET';
    const url = headers[':path'];
    if (url === undefined) {
      stream.respond({ ':status': 501 }, { endStream: true });
      return;
    }
    const view = { method, url, headers: { ...headers, host: headers[':authority'] ?? headers.host } };
    const decision = connection ? decide(this.host, connection, view) : undefined;
    const plan = decision?.plan;
    const record = decision?.record;
    if (!plan) return this.forward(stream, headers, rawHeaders, undefined, record);
    if (plan.abortBefore) {
      setOutcome(this.host.http, record, 'aborted', 0);
      resetStream(stream);
      return;
    }
    later(stream, plan.requestDelayMs, () => {
      if (plan.answer) this.answer(stream, plan, record);
      else this.forward(stream, headers, rawHeaders, plan, record);
    });
  };

  /** `http_status` (and `grpc_status`): the answer, without touching the upstream. */
  private answer(stream: ServerHttp2Stream, plan: Plan, record: RequestRecord | undefined): void {
    const answer = plan.answer as NonNullable<Plan['answer']>;
    stream.resume();
    if (answer.status < 200) {
      setOutcome(this.host.http, record, 'aborted', 0);
      resetStream(stream);
      return;
    }
    const body = Buffer.from(answer.body);
    const empty = body.length === 0 || answer.status === 204 || answer.status === 304;
    let flat = strip(flatten(lowerCase(answer.headers)), true);
    if (!empty) flat = withBody(flat, body.length, false);
    setOutcome(this.host.http, record, 'answered', answer.status);
    later(stream, plan.headersDelayMs, () => {
      const headers = toObject(editHeaders(flat, plan.responseHeaders), { ':status': answer.status });
      stream.respond(headers, { endStream: empty });
      if (!empty) stream.end(body);
    });
  }

  private forward(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[],
    plan: Plan | undefined,
    record: RequestRecord | undefined,
  ): void {
    let flat = strip(withoutPseudo(rawHeaders), false);
    if (this.host.tls && this.host.tls.clientAuth !== 'none') flat = withClientCert(flat, stream.session?.socket);
    if (plan && plan.requestHeaders.length > 0) flat = editHeaders(flat, plan.requestHeaders);
    const send = (body: Buffer | undefined): void => {
      if (body !== undefined) flat = withBody(flat, body.length, true);
      this.speaksH2().then(
        (h2) => {
          if (stream.destroyed) return;
          if (h2) this.sendH2(stream, headers, flat, body, plan, record);
          else this.sendH1(stream, headers, flat, body, plan, record);
        },
        (err: Error) => this.fail(stream, record, err),
      );
    };
    const edit = plan?.requestBody;
    if (edit === undefined) return send(undefined);
    readBody(stream, MAX_EDITED_BODY).then(
      (body) => send(editBody(body, edit)),
      () => {
        setOutcome(this.host.http, record, 'error', 413);
        if (!stream.destroyed && !stream.headersSent) stream.respond({ ':status': 413 }, { endStream: true });
      },
    );
  }

  /** Forwards over the multiplexed HTTP/2 session to the upstream. */
  private sendH2(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flat: Flat,
    body: Buffer | undefined,
    plan: Plan | undefined,
    record: RequestRecord | undefined,
  ): void {
    const pseudo: OutgoingHttpHeaders = {
      ':method': headers[':method'],
      ':path': headers[':path'],
      ':scheme': this.host.upstreamTls ? 'https' : 'http',
      ':authority': headers[':authority'] ?? this.authority(),
    };
    let out: ClientHttp2Stream;
    try {
      out = (this.upstream as ClientHttp2Session).request(toObject(flat, pseudo), { endStream: body?.length === 0 });
    } catch (err) {
      return this.fail(stream, record, err as Error);
    }
    let trailers: IncomingHttpHeaders | undefined;
    out.once('trailers', (t: IncomingHttpHeaders) => (trailers = t));
    out.on('error', (err: Error) => this.fail(stream, record, err));
    out.on('response', (up, flags) =>
      this.respond(stream, plan, record, {
        status: Number(up[':status'] ?? 502),
        headers: strip(flatten(withoutPseudoObject(up)), true),
        body: out,
        ended: (flags & NGHTTP2_FLAG_END_STREAM) !== 0,
        trailers: () => trailers,
        cancel: () => void (out.closed || out.close(NGHTTP2_CANCEL)),
      }),
    );
    stream.once('close', () => {
      if (!out.closed) out.close(NGHTTP2_CANCEL);
    });
    if (body === undefined) stream.pipe(out);
    else if (body.length > 0) out.end(body);
  }

  /** Forwards over HTTP/1.1 (the upstream does not speak HTTP/2), through the proxy's keep-alive agent. */
  private sendH1(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flat: Flat,
    body: Buffer | undefined,
    plan: Plan | undefined,
    record: RequestRecord | undefined,
  ): void {
    const target = this.target as { host: string; port: number };
    const te = flat.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'te');
    if (te >= 0) flat.splice(te, 2);
    const out = this.h1.send({
      host: target.host,
      port: target.port,
      method: headers[':method'],
      path: headers[':path'],
      headers: ['host', headers[':authority'] ?? this.authority(), ...flat] as unknown as OutgoingHttpHeaders,
      agent: this.h1.agent,
      setHost: false,
    });
    out.on('error', (err) => this.fail(stream, record, err));
    out.on('response', (up: IncomingMessage) =>
      this.respond(stream, plan, record, {
        status: up.statusCode ?? 502,
        headers: strip(up.rawHeaders, true),
        body: up,
        ended: false,
        trailers: () => (up.rawTrailers.length > 0 ? up.trailers : undefined),
        cancel: () => void out.destroy(),
      }),
    );
    stream.once('close', () => {
      if (!out.writableFinished || !out.destroyed) out.destroy();
    });
    if (body === undefined) stream.pipe(out);
    else out.end(body);
  }

  private respond(
    stream: ServerHttp2Stream,
    plan: Plan | undefined,
    record: RequestRecord | undefined,
    up: UpstreamResponse,
  ): void {
    const status = up.status;
    setOutcome(this.host.http, record, 'forwarded', status);
    if (stream.destroyed) return up.cancel();
    let flat = up.headers;
    if (!plan) return this.relay(stream, up, toObject(flat, { ':status': status }));
    const edited = responseEdits(flat, plan);
    flat = edited.headers;
    const { replacement, limit, reset } = edited;
    // A truncated body no longer matches its content-length (HTTP/2 would reset the stream on the mismatch).
    if (plan.responseBody?.action === 'truncate')
      flat = flat.filter((_, i, all) => (all[i - (i % 2)] as string).toLowerCase() !== 'content-length');
    if (reset) setOutcome(this.host.http, record, 'aborted', status);
    const headers = toObject(flat, { ':status': status });
    later(stream, plan.headersDelayMs, () => {
      if (replacement === undefined && limit === undefined && plan.bodyDelayMs === 0) {
        return this.relay(stream, up, headers);
      }
      stream.respond(headers);
      later(stream, plan.bodyDelayMs, () => {
        if (replacement !== undefined && limit === undefined) {
          up.body.resume();
          stream.end(replacement);
          return;
        }
        if (limit === undefined) {
          up.body.pipe(stream);
          return;
        }
        cutAfter(up.body, stream, replacement, limit, () => {
          up.cancel();
          if (reset) resetStream(stream);
          else stream.end();
        });
      });
    });
  }

  /** Sends the response headers, the body and the upstream's trailers (or a trailers-only answer as it came). */
  private relay(stream: ServerHttp2Stream, up: UpstreamResponse, headers: OutgoingHttpHeaders): void {
    if (up.ended) {
      stream.respond(headers, { endStream: true });
      up.body.resume();
      return;
    }
    stream.respond(headers, { waitForTrailers: true });
    stream.once('wantTrailers', () => {
      try {
        stream.sendTrailers(toObject(strip(flatten(withoutPseudoObject(up.trailers() ?? {})), true), {}));
      } catch {
        stream.close();
      }
    });
    up.body.pipe(stream);
  }

  private fail(stream: ServerHttp2Stream, record: RequestRecord | undefined, err: Error): void {
    this.host.http.errors.upstream++;
    setOutcome(this.host.http, record, 'error', stream.headersSent ? Number(stream.sentHeaders[':status']) : 502);
    if (stream.destroyed) return;
    if (stream.headersSent) return resetStream(stream);
    const reason = (err as NodeJS.ErrnoException).code ?? err.message;
    const body = `turbulence proxy ${this.host.name}: upstream error: ${reason}\n`;
    stream.respond({ ':status': 502, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    stream.end(body);
  }

  private authority(): string {
    const t = this.target;
    return t ? joinHostPort(t.host, t.port) : this.host.upstream;
  }

  /**
   * Whether the upstream speaks HTTP/2, asked once per session: over TLS its ALPN answer, in cleartext whether
   * it answers the h2c preface with its SETTINGS. When it does not, requests go over HTTP/1.1 instead.
   */
  private speaksH2(): Promise<boolean> {
    const current = this.upstream;
    if (this.probe && (this.probeFailed || (current && !current.closed && !current.destroyed))) return this.probe;
    const target = this.target;
    if (!target) return Promise.reject(new Error(`bad upstream ${this.host.upstream}`));
    const probe = this.dial(target)
      .then((socket) => {
        if (socket !== false) return this.open(socket);
        this.probeFailed = true;
        return false;
      })
      .catch((err: unknown) => {
        // Not an answer about HTTP/2: the upstream is down. Ask again on the next request.
        if (this.probe === probe) this.probe = undefined;
        throw err;
      });
    this.probeFailed = false;
    this.probe = probe;
    return probe;
  }

  /**
   * Over TLS: the handshake with ALPN `h2, http/1.1`; resolves the socket when the upstream chose h2, `false`
   * when it chose HTTP/1.1 (or nothing). In cleartext: undefined (the session dials itself).
   */
  private dial(target: { host: string; port: number }): Promise<TLSSocket | false | undefined> {
    const secure = this.host.upstreamTls;
    if (!secure) return Promise.resolve(undefined);
    const servername = !isIP(target.host) ? { servername: target.host } : {};
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({
        ...secure,
        ...servername,
        host: target.host,
        port: target.port,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        if (socket.alpnProtocol === 'h2') return resolve(socket);
        socket.destroy();
        resolve(false);
      });
    });
  }

  /**
   * Opens the session (on `socket` when TLS chose h2). Resolves true once the upstream sent its SETTINGS, false
   * when a cleartext upstream answered the h2c preface with something else (HTTP/1.1) or not at all.
   */
  private open(socket: TLSSocket | undefined): Promise<boolean> {
    const url = `${socket ? 'https' : 'http'}://${this.authority()}`;
    const session = connect(url, socket ? { createConnection: () => socket } : {});
    this.upstream = session;
    return new Promise<boolean>((resolve, reject) => {
      let connected = socket !== undefined;
      let error: Error | undefined;
      const timer = setTimeout(() => done(false), PROBE_MS);
      const done = (h2: boolean): void => {
        clearTimeout(timer);
        session.off('remoteSettings', yes);
        session.off('close', closed);
        if (h2) return resolve(true);
        session.destroy();
        if (!connected) return reject(error ?? new Error('upstream connection closed'));
        this.probeFailed = true;
        resolve(false);
      };
      const yes = (): void => done(true);
      const closed = (): void => done(false);
      session.on('error', (err: Error) => void (error ??= err));
      session.once('connect', () => (connected = true));
      session.once('remoteSettings', yes);
      session.once('close', closed);
    });
  }
}

/** What the HTTP/2 front end needs of a response from the upstream, whichever protocol carried it. */
interface UpstreamResponse {
  status: number;
  /** Headers without pseudo-headers and hop-by-hop ones. */
  headers: Flat;
  body: Readable;
  /** The upstream answered with headers only (END_STREAM on HEADERS: a gRPC trailers-only answer). */
  ended: boolean;
  /** The trailers, once the body ended. */
  trailers(): IncomingHttpHeaders | undefined;
  /** Stops the upstream request. */
  cancel(): void;
}

/**
 * Resets a stream at once (RST_STREAM, INTERNAL_ERROR): `close()` would first end it cleanly with what was
 * written, and only then reset it; `destroy(error)` resets it where it is.
 */
function resetStream(stream: ServerHttp2Stream): void {
  stream.destroy(new Error('reset by an http_abort toxic'));
}

/** Raw HTTP/2 headers without the pseudo-headers (`:method`, `:path`, ...). */
function withoutPseudo(raw: readonly string[]): Flat {
  const out: Flat = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!(raw[i] as string).startsWith(':')) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

function withoutPseudoObject(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
  return out;
}

function lowerCase(headers: Record<string, string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** A flat header list as an HTTP/2 header object (lower-case names; repeated names become arrays). */
function toObject(flat: Flat, start: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...start };
  for (let i = 0; i < flat.length; i += 2) {
    const key = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const had = out[key];
    if (had === undefined) out[key] = value;
    else out[key] = [...(Array.isArray(had) ? had : [String(had)]), value];
  }
  return out;
}
