/**
 * @module The load engine, run inside a worker thread (`./worker.ts`): clients as async loops over undici
 * connections (HTTP) or sockets (TCP), a seeded RNG for start jitter and backoff jitter, HDR histograms of
 * latency. Three shapes:
 *
 *   burst      every client starts within the jitter window and sends its share of the requests
 *   retry      like burst, and a failed request is retried per the backoff, within a retry budget
 *   reconnect  every client holds a connection and requests every interval; once all are connected the parent
 *              drops them (proxy disabled, service restarted) and clients reconnect per the backoff
 */
import { connect as tcpConnect } from 'node:net';
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { Client, type Dispatcher } from 'undici';
import { Rng } from '../../core/rng.js';

/** A backoff as the schema gives it (milliseconds). */
export interface Backoff {
  policy: 'immediate' | 'exponential';
  base: number;
  max: number;
  jitter: boolean;
}

/** What one worker runs (plain data: it crosses the thread boundary). */
export interface EngineConfig {
  shape: 'burst' | 'retry' | 'reconnect';
  target: { url: string } | { host: string; port: number };
  clients: number;
  requests: number;
  jitterMs: number;
  timeoutMs: number;
  method: string;
  payload?: string | undefined;
  keepAlive: boolean;
  retries: number;
  backoff: Backoff;
  budget?: number | undefined;
  durationMs: number;
  intervalMs: number;
  seed: number;
}

/** What one worker measured. */
export interface EngineResult {
  /** Latency of successful requests, µs, HDR-encoded. */
  latency: string;
  /** Reconnect shape: time from a client's first failure after the drop to its next success, µs, HDR-encoded. */
  recovery: string;
  requests: number;
  attempts: number;
  ok: number;
  retries: number;
  budgetDenied: number;
  errors: Record<string, number>;
  connectionsOpened: number;
  recovered: number;
  dropped: number;
  elapsedMs: number;
}

const histogram = (): Histogram =>
  build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

/** The kind of a failure, for `errors` by kind. */
export function errorKind(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || code === 'UND_ERR_ABORTED') return 'timeout';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
    case 'timeout':
      return 'timeout';
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return 'closed';
    default:
      return typeof code === 'string' ? code.toLowerCase() : 'error';
  }
}

class HttpStatusError extends Error {
  readonly code: string;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.code = status >= 500 ? 'http_5xx' : 'http_4xx';
  }
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** The wait before retry/reconnect number `n` (0-based). */
export function backoffMs(b: Backoff, n: number, rng: Rng): number {
  if (b.policy === 'immediate') return b.jitter ? rng.int(Math.max(1, b.base)) : 0;
  const cap = Math.min(b.max, b.base * 2 ** Math.min(n, 30));
  return b.jitter ? rng.int(Math.max(1, Math.round(cap))) : cap;
}

/** Runs one worker's share; `ready` is called once every client has connected (reconnect shape). */
export async function runEngine(cfg: EngineConfig, ready: () => void): Promise<EngineResult> {
  const rng = new Rng(cfg.seed);
  const latency = histogram();
  const recovery = histogram();
  const r: Omit<EngineResult, 'latency' | 'recovery'> = {
    requests: 0,
    attempts: 0,
    ok: 0,
    retries: 0,
    budgetDenied: 0,
    errors: {},
    connectionsOpened: 0,
    recovered: 0,
    dropped: 0,
    elapsedMs: 0,
  };
  const fail = (err: unknown): void => {
    const k = errorKind(err);
    r.errors[k] = (r.errors[k] ?? 0) + 1;
  };
  const http = 'url' in cfg.target ? new URL(cfg.target.url) : undefined;
  const opened = (d: Dispatcher): Dispatcher => d.on('connect', () => (r.connectionsOpened += 1));
  // One undici Client per client loop (a Pool would look for a free connection on every request).
  const conns: Client[] = [];
  const connFor = (i: number): Client | undefined => {
    if (!http) return undefined;
    conns[i] ??= opened(new Client(http.origin, { pipelining: 1, connectTimeout: cfg.timeoutMs })) as Client;
    return conns[i];
  };

  // One sweep timer per worker enforces every request's timeout (connect, queue, headers, body), instead of a
  // timer and an AbortSignal per request: those were the engine's largest costs after the socket writes.
  const deadlines = new Deadlines(cfg.timeoutMs);
  const request: Dispatcher.DispatchOptions | undefined = http && {
    origin: http.origin,
    path: `${http.pathname}${http.search}`,
    method: cfg.method,
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    reset: !cfg.keepAlive,
    ...(cfg.payload !== undefined ? { body: cfg.payload } : {}),
  };

  /** One request (HTTP) or one connection (TCP); resolves with its latency in µs. */
  const once = async (via: Dispatcher | undefined): Promise<number> => {
    const t0 = performance.now();
    r.attempts += 1;
    if (request && via) await httpOnce(via, request, deadlines);
    else await tcpOnce(cfg, () => (r.connectionsOpened += 1));
    return (performance.now() - t0) * 1000;
  };

  const started = performance.now();
  const share = (i: number): number =>
    Math.floor(cfg.requests / cfg.clients) + (i < cfg.requests % cfg.clients ? 1 : 0);
  const startDelay = (): number => (cfg.jitterMs > 0 ? rng.int(cfg.jitterMs) : 0);

  if (cfg.shape === 'reconnect') {
    await reconnectClients(cfg, rng, http, once, latency, recovery, r, fail, ready, startDelay);
  } else {
    const budget = cfg.budget === undefined ? Infinity : cfg.budget * cfg.requests;
    await Promise.all(
      Array.from({ length: cfg.clients }, async (_, i) => {
        await sleep(startDelay());
        for (let k = 0; k < share(i); k += 1) {
          r.requests += 1;
          for (let attempt = 0; ; attempt += 1) {
            try {
              latency.recordValue(Math.max(1, Math.round(await once(connFor(i)))));
              r.ok += 1;
              break;
            } catch (err) {
              fail(err);
              if (cfg.shape !== 'retry' || attempt >= cfg.retries) break;
              if (r.retries >= budget) {
                r.budgetDenied += 1;
                break;
              }
              r.retries += 1;
              await sleep(backoffMs(cfg.backoff, attempt, rng));
            }
          }
        }
      }),
    );
  }
  r.elapsedMs = performance.now() - started;
  deadlines.close();
  await Promise.all(conns.map((c) => c.destroy().catch(() => undefined)));
  return { ...r, latency: encodeIntoCompressedBase64(latency), recovery: encodeIntoCompressedBase64(recovery) };
}

/** The reconnect shape: each client owns one connection, requests every interval, reconnects after a failure. */
async function reconnectClients(
  cfg: EngineConfig,
  rng: Rng,
  http: URL | undefined,
  once: (via: Dispatcher | undefined) => Promise<number>,
  latency: Histogram,
  recovery: Histogram,
  r: Omit<EngineResult, 'latency' | 'recovery'>,
  fail: (err: unknown) => void,
  ready: () => void,
  startDelay: () => number,
): Promise<void> {
  let connected = 0;
  let allReady = false;
  const deadline = performance.now() + cfg.durationMs;
  const newClient = (): Client | undefined =>
    http
      ? new Client(http.origin, { connectTimeout: cfg.timeoutMs, pipelining: 1 }).on('connect', () => {
          r.connectionsOpened += 1;
        })
      : undefined;
  await Promise.all(
    Array.from({ length: cfg.clients }, async () => {
      await sleep(startDelay());
      let client = newClient();
      let first = true;
      let downSince: number | undefined;
      let failures = 0;
      while (performance.now() < deadline) {
        try {
          latency.recordValue(Math.max(1, Math.round(await once(client))));
          r.requests += 1;
          r.ok += 1;
          failures = 0;
          if (first) {
            first = false;
            connected += 1;
            if (connected === cfg.clients && !allReady) {
              allReady = true;
              ready();
            }
          }
          if (downSince !== undefined) {
            recovery.recordValue(Math.max(1, Math.round((performance.now() - downSince) * 1000)));
            r.recovered += 1;
            downSince = undefined;
          }
          await sleep(cfg.intervalMs);
        } catch (err) {
          r.requests += 1;
          fail(err);
          if (allReady && downSince === undefined) {
            downSince = performance.now();
            r.dropped += 1;
          }
          await client?.destroy().catch(() => undefined);
          await sleep(backoffMs(cfg.backoff, failures, rng));
          failures += 1;
          client = newClient();
        }
      }
      await client?.destroy().catch(() => undefined);
    }),
  );
}

/** Something with a deadline that can be aborted. */
interface Deadline {
  at: number;
  abort(err: Error): void;
}

/**
 * Request timeouts of one worker on one coarse timer: each request registers its deadline; a sweep every
 * quarter of the timeout (at least 10 ms, at most 250 ms) aborts the overdue ones, so a request times out at
 * most a quarter late. The timer is unref'd and runs only while requests are in flight.
 */
export class Deadlines {
  private readonly live = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;
  private readonly every: number;

  constructor(readonly timeoutMs: number) {
    this.every = Math.min(250, Math.max(10, Math.floor(timeoutMs / 4)));
  }

  /** Starts watching `d` (its `at` is set from now). */
  add(d: Deadline): void {
    d.at = performance.now() + this.timeoutMs;
    this.live.add(d);
    this.timer ??= setInterval(() => this.sweep(), this.every).unref();
  }

  done(d: Deadline): void {
    this.live.delete(d);
  }

  private sweep(): void {
    const now = performance.now();
    for (const d of this.live) {
      if (d.at > now) continue;
      this.live.delete(d);
      d.abort(
        Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { name: 'TimeoutError', code: 'timeout' }),
      );
    }
    if (this.live.size === 0) this.close();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * One HTTP request as undici's dispatch handler (the plain legacy shape, which undici runs without a wrapper),
 * and its own deadline: one object per request, no body stream, no AbortSignal, no closures. The body is dropped.
 */
class Call implements Dispatcher.DispatchHandler, Deadline {
  at = 0;
  private status = 0;
  private late: Error | undefined;
  private cancel: ((err: Error) => void) | undefined;

  constructor(
    private readonly deadlines: Deadlines,
    private readonly resolve: () => void,
    private readonly reject: (err: Error) => void,
  ) {
    // Registered now, so time in the queue and in connect counts; undici's abort exists only from onConnect.
    deadlines.add(this);
  }

  abort(err: Error): void {
    if (this.cancel) return this.cancel(err);
    this.late = err;
    this.reject(err);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.late) abort(this.late);
    else this.cancel = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.deadlines.done(this);
    if (this.status >= 400) this.reject(new HttpStatusError(this.status));
    else this.resolve();
  }

  onError(err: Error): void {
    this.deadlines.done(this);
    this.reject(err);
  }
}

/** One HTTP request through undici's dispatch API; resolves when the response has ended. */
function httpOnce(via: Dispatcher, request: Dispatcher.DispatchOptions, deadlines: Deadlines): Promise<void> {
  return new Promise((resolve, reject) => void via.dispatch(request, new Call(deadlines, resolve, reject)));
}

/** One TCP connection: connect, write the payload and wait for the first byte back (when there is a payload). */
function tcpOnce(cfg: EngineConfig, onConnect: () => void): Promise<void> {
  const t = cfg.target as { host: string; port: number };
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: t.host, port: t.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'timeout' }));
    }, cfg.timeoutMs);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.once('error', done);
    socket.once('connect', () => {
      onConnect();
      if (cfg.payload === undefined) return done();
      socket.write(cfg.payload);
      socket.once('data', () => done());
      socket.once('end', () => done(Object.assign(new Error('closed before answering'), { code: 'ECONNRESET' })));
    });
  });
}
