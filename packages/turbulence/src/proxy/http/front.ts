/**
 * The front end of a `protocol: http` proxy: a `node:http` server that parses each request (keep-alive,
 * pipelining, chunked bodies and `Expect: 100-continue` are Node's own, well-fuzzed parser), decides per request
 * which HTTP toxics apply, and forwards through a keep-alive agent to the upstream.
 *
 * ```
 *   client ──HTTP/1.1──▶ node:http server ──request──▶ match + draw per toxic ──▶ Plan
 *                                                       │ empty plan: forward as is (the fast path)
 *                                                       └ else: abort | delay | answer | edit headers/body
 *   upstream ◀──keep-alive agent── forward ◀───────────┘
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
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { deriveSeed, Rng } from '../../core/rng.js';
import { splitHostPort } from '../address.js';
import { isSelected, unitDraw } from '../random.js';
import type { ToxicCollection } from '../toxic-collection.js';
import { HttpConnection, type RequestDecision, type RequestRecord } from './connection.js';
import { matches, pathOf, type MatchAttributes } from './match.js';
import type { HttpStats } from './stats.js';
import { emptyPlan, type BodyEdit, type HeaderEdit, type HttpToxicType, type Plan } from './toxic.js';

/** Largest request body an `http_body` toxic on the request side buffers; larger requests get a 413. */
const MAX_EDITED_BODY = 16 * 1024 * 1024;

/** What the front end needs from its proxy. */
export interface HttpHost {
  readonly name: string;
  readonly upstream: string;
  /** When set, requests go to the upstream over TLS (`tls.upstream`). */
  readonly upstreamTls?: ConnectionOptions | undefined;
  readonly toxics: ToxicCollection;
  readonly http: HttpStats;
  /** Called when a client connects / when its socket closes. */
  track(connection: HttpConnection): void;
  untrack(connection: HttpConnection): void;
}

/** Connection-scoped headers a proxy never forwards. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'http2-settings']);

/** The HTTP front end of one proxy. */
export class HttpFront {
  readonly server: Server;
  private readonly host: HttpHost;
  private readonly seed: number;
  private readonly agent: Agent;
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
    this.server = createServer({ noDelay: true, requestTimeout: 0 }, (req, res) => this.onRequest(req, res, false));
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, true));
    this.server.on('connection', this.onConnection);
    this.server.on('clientError', this.onClientError);
    this.server.on('upgrade', this.onUpgrade);
  }

  /** Stops listening and drops the upstream pool (the proxy destroys the client connections). */
  close(): void {
    if (this.server.listening) this.server.close();
    this.agent.destroy();
  }

  private readonly onConnection = (socket: Socket): void => {
    const connection = new HttpConnection(socket, ++this.nextId, this.seed);
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
    const records = this.host.toxics.all();
    if (records.length === 0 || !connection) {
      if (connection) connection.count++;
      return this.forward(req, res, undefined, expectContinue, undefined);
    }
    const n = ++connection.count;
    const seed = connection.requestSeed(n);
    const url = req.url ?? '/';
    const view = { method: req.method ?? 'GET', url, headers: req.headers };
    const decisions: RequestDecision[] = [];
    let plan: Plan | undefined;
    for (const r of records) {
      const type = r.type as HttpToxicType;
      if (type.protocol !== 'http') continue;
      const matched = matches(r.attributes as unknown as MatchAttributes, view);
      const draw = unitDraw(seed, r.name);
      const selected = matched && isSelected(r.toxicity, draw);
      decisions.push({
        name: r.name,
        type: type.type,
        stream: r.stream,
        toxicity: r.toxicity,
        draw,
        selected,
        matched,
      });
      if (!selected) continue;
      plan ??= emptyPlan();
      type.plan(r.attributes as unknown as MatchAttributes, plan, {
        direction: r.direction,
        rng: () => new Rng(deriveSeed(seed, r.name)),
      });
      const applied = this.host.http.applied.get(r.name);
      if (applied) applied.count++;
      else this.host.http.applied.set(r.name, { type: type.type, count: 1 });
    }
    const record: RequestRecord = {
      n,
      method: view.method,
      path: pathOf(url),
      status: 0,
      outcome: 'pending',
      toxics: decisions,
    };
    connection.remember(record);
    if (!plan) return this.forward(req, res, undefined, expectContinue, record);
    this.execute(req, res, plan, expectContinue, record);
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
    let headers = requestHeaders(req.rawHeaders);
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
    if (plan.responseHeaders.length > 0) headers = editHeaders(headers, plan.responseHeaders);
    const edit = plan.responseBody;
    let replacement: Buffer | undefined;
    if (edit?.action === 'replace') {
      replacement = edit.body;
      headers = withBody(headers, replacement.length, false);
    }
    let limit = plan.abortAfter;
    const reset = plan.abortAfter !== undefined;
    if (edit?.action === 'truncate') limit = Math.min(limit ?? Infinity, edit.bytes);
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

  private fail(res: ServerResponse, record: RequestRecord | undefined, err: Error): void {
    this.host.http.errors.upstream++;
    this.outcome(record, 'error', res.headersSent ? res.statusCode : 502);
    if (res.headersSent || res.req.socket.destroyed) return void res.req.socket.destroy();
    const reason = (err as NodeJS.ErrnoException).code ?? err.message;
    const body = `turbulence proxy ${this.host.name}: upstream error: ${reason}\n`;
    res.writeHead(502, {
      connection: 'close',
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private outcome(record: RequestRecord | undefined, outcome: RequestRecord['outcome'], status: number): void {
    if (record?.outcome === 'aborted') return;
    if (record) {
      if (record.outcome !== 'pending') this.host.http.outcomes[record.outcome as 'forwarded']--;
      record.outcome = outcome;
      record.status = status;
    }
    this.host.http.outcomes[outcome as 'forwarded']++;
  }
}

/** Runs `fn` after `ms` (at once when 0), unless the socket closed meanwhile. */
function later(socket: Socket, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    socket.off('close', cancel);
    if (!socket.destroyed) fn();
  }, ms);
  const cancel = (): void => clearTimeout(timer);
  socket.once('close', cancel);
}

type Flat = string[];

/** A request's raw headers minus hop-by-hop ones (and those the Connection header names). */
function requestHeaders(raw: readonly string[]): Flat {
  return strip(raw, false);
}

/** A response's raw headers minus hop-by-hop ones and Transfer-Encoding (Node frames the body for the client). */
function responseHeaders(raw: readonly string[]): Flat {
  return strip(raw, true);
}

function strip(raw: readonly string[], framing: boolean): Flat {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'connection') {
      named ??= new Set();
      for (const token of (raw[i + 1] as string).split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: Flat = [];
  for (let i = 0; i < raw.length; i += 2) {
    const key = (raw[i] as string).toLowerCase();
    if (HOP.has(key) || named?.has(key) || (framing && key === 'transfer-encoding')) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

function flatten(headers: OutgoingHttpHeaders): Flat {
  const out: Flat = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(k, String(one));
  }
  return out;
}

/** Applies header edits to a flat raw-header list. */
export function editHeaders(headers: Flat, edits: readonly HeaderEdit[]): Flat {
  let out = headers;
  for (const edit of edits) {
    const present = out.some((v, i) => i % 2 === 0 && v.toLowerCase() === edit.name);
    if (edit.action === 'add') {
      out = [...out, edit.name, edit.value];
      continue;
    }
    if (edit.action === 'set' && edit.onlyIfPresent && !present) continue;
    const kept: Flat = [];
    for (let i = 0; i < out.length; i += 2) {
      if ((out[i] as string).toLowerCase() !== edit.name) kept.push(out[i] as string, out[i + 1] as string);
    }
    if (edit.action === 'set') kept.push(edit.name, edit.value);
    out = kept;
  }
  return out;
}

/** Headers for a body of known length: Content-Length set, chunked framing (and Expect, when asked) dropped. */
function withBody(headers: Flat, length: number, dropExpect: boolean): Flat {
  const out: Flat = [];
  for (let i = 0; i < headers.length; i += 2) {
    const key = (headers[i] as string).toLowerCase();
    if (key === 'content-length' || key === 'transfer-encoding' || (dropExpect && key === 'expect')) continue;
    out.push(headers[i] as string, headers[i + 1] as string);
  }
  out.push('content-length', String(length));
  return out;
}

function editBody(body: Buffer, edit: BodyEdit): Buffer {
  return edit.action === 'replace' ? edit.body : body.subarray(0, edit.bytes);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.destroy();
        reject(new Error('request body too large to edit'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
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

/** Sends the first `limit` bytes of the body (the upstream's, or `replacement`), then calls `cut`. */
function cutAfter(
  up: IncomingMessage,
  res: ServerResponse,
  replacement: Buffer | undefined,
  limit: number,
  cut: () => void,
): void {
  let sent = 0;
  let done = false;
  // Cut once the last bytes were handed to the kernel (a reset before that would drop them).
  const finish = (last?: Buffer): void => {
    if (done) return;
    done = true;
    up.off('data', onData);
    up.resume();
    if (last && last.length > 0) res.write(last, () => setImmediate(cut));
    else setImmediate(cut);
  };
  const onData = (chunk: Buffer): void => {
    const room = limit - sent;
    if (chunk.length >= room) return finish(chunk.subarray(0, room));
    sent += chunk.length;
    res.write(chunk);
  };
  if (replacement !== undefined) return finish(replacement.subarray(0, limit));
  if (limit <= 0) return finish();
  up.on('data', onData);
  up.once('end', () => finish());
}
