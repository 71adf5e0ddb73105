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
import { Client, Pool, type Dispatcher } from 'undici';
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
  const pool = http
    ? (opened(
        new Pool(http.origin, { connections: cfg.clients, pipelining: 1, connectTimeout: cfg.timeoutMs }),
      ) as Pool)
    : undefined;

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
              latency.recordValue(Math.max(1, Math.round(await once(pool))));
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
  await pool?.destroy().catch(() => undefined);
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

/**
 * Request timeouts of one worker on one coarse timer: each request registers its deadline; a sweep every
 * quarter of the timeout (at least 10 ms, at most 250 ms) aborts the overdue ones, so a request times out at
 * most a quarter late. The timer is unref'd and runs only while requests are in flight.
 */
export class Deadlines {
  private readonly live = new Set<{ at: number; abort: (err: Error) => void }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly every: number;

  constructor(private readonly timeoutMs: number) {
    this.every = Math.min(250, Math.max(10, Math.floor(timeoutMs / 4)));
  }

  /** Registers a request's abort (replaceable later); returns the entry to {@link Deadlines.done} when it ends. */
  add(abort: (err: Error) => void): { at: number; abort: (err: Error) => void } {
    const entry = { at: performance.now() + this.timeoutMs, abort };
    this.live.add(entry);
    this.timer ??= setInterval(() => this.sweep(), this.every).unref();
    return entry;
  }

  done(entry: { at: number; abort: (err: Error) => void } | undefined): void {
    if (entry) this.live.delete(entry);
  }

  private sweep(): void {
    const now = performance.now();
    for (const e of this.live) {
      if (e.at > now) continue;
      this.live.delete(e);
      e.abort(
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
 * One HTTP request through undici's dispatch API with a plain handler: no body stream, no promise per chunk and
 * no AbortSignal (what `request()` costs per call); the body is read and dropped.
 */
function httpOnce(via: Dispatcher, request: Dispatcher.DispatchOptions, deadlines: Deadlines): Promise<void> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let late: Error | undefined;
    // Registered now, so time in the queue and in connect counts; undici's abort exists only from onConnect.
    const entry = deadlines.add((err) => {
      late = err;
      reject(err);
    });
    const handler: Dispatcher.DispatchHandler = {
      onConnect: (abort) => {
        if (late) abort(late);
        else entry.abort = abort;
      },
      onHeaders: (statusCode) => {
        status = statusCode;
        return true;
      },
      onData: () => true,
      onComplete: () => {
        deadlines.done(entry);
        if (status >= 400) reject(new HttpStatusError(status));
        else resolve();
      },
      onError: (err) => {
        deadlines.done(entry);
        reject(err);
      },
    };
    via.dispatch(request, handler);
  });
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
