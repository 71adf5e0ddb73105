/**
 * The plain forward of the HTTP/1.1 front end: a request no toxic was selected for goes to the upstream through
 * an undici {@link Pool} (keep-alive connections, one request at a time on each), and the response is written
 * straight into the client's `ServerResponse`, chunk by chunk, with undici's own backpressure.
 *
 * ```
 *   ServerResponse ◀── onHeaders / onData / onComplete ◀── Relay ◀── undici Pool ◀── upstream
 *   IncomingMessage ──(body: the request stream, or none)──▶ Pool.dispatch ──▶ upstream
 * ```
 *
 * Why not `http.request`: its ClientRequest, agent queue and response stream are most of a plain proxy's CPU
 * per request; undici's dispatch does the same job in about half (`bench/RESULTS.md`). Requests it would send
 * differently from `http.request` take the agent path instead ({@link relayHeaders} says which): an
 * `Expect` header, a missing or repeated `Host`, a transfer coding other than `chunked`, a target that is not
 * `/…`. Toxic plans also keep the agent path: their edits work on the response stream.
 */
import type { ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import type { RequestRecord } from './connection.js';
import { strip, type Flat } from './wire.js';

/** What a relay reports to its front end. */
export interface RelayHost {
  /** Sets the request's outcome (status as sent to the client). */
  outcome(record: RequestRecord | undefined, outcome: RequestRecord['outcome'], status: number): void;
  /** An upstream failure: a 502, or a closed connection (`client`) once the response started. */
  fail(res: ServerResponse, record: RequestRecord | undefined, err: Error, client: Socket): void;
}

/** The pool of keep-alive connections to one upstream (TLS when `secure` is set). */
export function relayPool(
  target: { host: string; port: number },
  secure: ConnectionOptions | undefined,
  servername: { servername?: string },
): Pool {
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return new Pool(`${secure ? 'https' : 'http'}://${host}:${target.port}`, {
    // Like the agent path: no deadline of our own on connect, headers or body (a long poll stays open).
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: 0, ...secure, ...servername },
  });
}

/** A request's headers for the relay, and whether it has a body; undefined when it must take the agent path. */
export function relayHeaders(url: string, raw: readonly string[]): { headers: Flat; body: boolean } | undefined {
  if (url.charCodeAt(0) !== 47 /* / */) return undefined;
  let hosts = 0;
  let body = false;
  for (let i = 0; i < raw.length; i += 2) {
    const key = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (key === 'host') hosts++;
    else if (key === 'expect') return undefined;
    else if (key === 'transfer-encoding') {
      if (value.trim().toLowerCase() !== 'chunked') return undefined;
      body = true;
    } else if (key === 'content-length') body ||= value !== '0';
  }
  if (hosts !== 1) return undefined;
  // undici frames the body itself (chunked when there is no Content-Length): Transfer-Encoding goes too.
  return { headers: strip(raw, true), body };
}

/** Undici's raw response headers (latin1, as Node decodes them) minus hop-by-hop ones and Transfer-Encoding. */
function responseHeaders(raw: readonly Buffer[]): Flat {
  return strip(
    raw.map((b) => b.toString('latin1')),
    true,
  );
}

const RELAY = Symbol('relay');

/** A client response that closed: stop the upstream exchange unless it is complete. */
function onResponseClose(this: ServerResponse & { [RELAY]?: Relay }): void {
  this[RELAY]?.cancel();
}

/** One request relayed through the pool: undici's dispatch handler (the legacy shape undici runs unwrapped). */
export class Relay implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  /** The client went away before the exchange completed. */
  private cancelled = false;
  private done = false;
  /** The response headers came. */
  private started = false;
  /** The client socket was gone when the headers came: read the body to the end, send nothing. */
  private discard = false;

  constructor(
    private readonly host: RelayHost,
    private readonly res: ServerResponse & { [RELAY]?: Relay },
    private readonly record: RequestRecord | undefined,
    /** The client's socket, kept: undici detaches a request body it has sent from its socket. */
    private readonly client: Socket,
  ) {
    res[RELAY] = this;
    res.on('close', onResponseClose);
  }

  /** Sends the request (its body is `req` when it has one). */
  static send(
    pool: Pool,
    host: RelayHost,
    res: ServerResponse,
    record: RequestRecord | undefined,
    headers: Flat,
    body: boolean,
  ): void {
    const req = res.req;
    pool.dispatch(
      { method: req.method as string, path: req.url as string, headers, body: body ? req : null, reset: false },
      new Relay(host, res, record, req.socket),
    );
  }

  cancel(): void {
    if (this.done) return;
    this.cancelled = true;
    this.abort?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.cancelled) abort();
    else this.abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    this.started = true;
    this.host.outcome(this.record, 'forwarded', status);
    const res = this.res;
    if (this.client.destroyed) {
      this.discard = true;
      return true;
    }
    this.resume = resume;
    res.writeHead(status, statusText, responseHeaders(raw));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.discard || this.res.write(chunk)) return true;
    this.res.once('drain', this.resume as () => void);
    return false;
  }

  onComplete(trailers: string[] | null): void {
    this.done = true;
    if (this.discard) return;
    const raw = trailers as unknown as Buffer[] | null;
    if (raw && raw.length > 0) {
      const pairs: [string, string][] = [];
      for (let i = 0; i < raw.length; i += 2) {
        pairs.push([(raw[i] as Buffer).toString('latin1'), (raw[i + 1] as Buffer).toString('latin1')]);
      }
      this.res.addTrailers(pairs);
    }
    this.res.end();
  }

  onError(err: Error): void {
    this.done = true;
    // The client left during the response: nothing to answer (as the agent path: there, only a client that
    // leaves before the response headers makes the upstream request fail, and that is counted).
    if (this.cancelled && this.started) return;
    this.host.fail(this.res, this.record, err, this.client);
  }
}
