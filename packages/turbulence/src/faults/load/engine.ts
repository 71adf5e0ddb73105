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

  // One sweep timer per worker enforces every request's timeout (connect, queue, headers, body), instead of a
  // timer and an AbortSignal per request: those were the engine's largest costs after the socket writes. So
  // undici's own headers and body timers are off (0): they cost a timer per request and add nothing.
  const deadlines = new Deadlines(cfg.timeoutMs);
  const request: Dispatcher.DispatchOptions | undefined = http && {
    origin: http.origin,
    path: `${http.pathname}${http.search}`,
    method: cfg.method,
    headersTimeout: 0,
    bodyTimeout: 0,
    reset: !cfg.keepAlive,
    // As a Buffer made once: undici would make one from a string on every request.
    ...(cfg.payload !== undefined ? { body: Buffer.from(cfg.payload) } : {}),
  };
  // The socket options undici sets on every connection, given to the socket up front: each then costs one
  // setsockopt when the connection is made, where undici setting them on the new socket and Node applying them
  // again once connected cost ten per connection (a tenth of the CPU of a new connection). No TCP keep-alive on
  // a connection that serves one request.
  const connect = { noDelay: true, keepAlive: cfg.keepAlive, keepAliveInitialDelay: 60_000 };
  const newClient = (): Client | undefined =>
    http &&
    new Client(http.origin, { pipelining: 1, connectTimeout: cfg.timeoutMs, connect }).on('connect', () => {
      r.connectionsOpened += 1;
    });
  const tcpOpened = (): void => void (r.connectionsOpened += 1);

  const started = performance.now();
  const startDelay = (): number => (cfg.jitterMs > 0 ? rng.int(cfg.jitterMs) : 0);

  if (cfg.shape === 'reconnect') {
    const once = async (via: Client | undefined, waiter: Waiter): Promise<number> => {
      const t0 = performance.now();
      r.attempts += 1;
      if (request && via) await waiter.send(via, request);
      else await tcpOnce(cfg, tcpOpened);
      return (performance.now() - t0) * 1000;
    };
    await reconnectClients(cfg, rng, deadlines, newClient, once, latency, recovery, r, fail, ready, startDelay);
  } else {
    // One undici Client per client loop (a Pool would look for a free connection on every request), and the
    // loops chain their requests by callbacks: no promise or async frame per request.
    const shared: LoopShared = {
      cfg,
      rng,
      r,
      fail,
      latency,
      request,
      deadlines,
      tcpOpened,
      budget: cfg.budget === undefined ? Infinity : cfg.budget * cfg.requests,
    };
    const share = (i: number): number =>
      Math.floor(cfg.requests / cfg.clients) + (i < cfg.requests % cfg.clients ? 1 : 0);
    const loops = Array.from({ length: cfg.clients }, (_, i) => new ClientLoop(shared, newClient(), share(i)));
    const delays = loops.map(() => startDelay());
    await Promise.all(loops.map((loop, i) => loop.run(delays[i] ?? 0)));
    await Promise.all(loops.map(async (loop) => loop.client?.destroy().catch(() => undefined)));
  }
  r.elapsedMs = performance.now() - started;
  deadlines.close();
  return { ...r, latency: encodeIntoCompressedBase64(latency), recovery: encodeIntoCompressedBase64(recovery) };
}

/** What every client loop of one worker shares. */
interface LoopShared {
  cfg: EngineConfig;
  rng: Rng;
  r: Omit<EngineResult, 'latency' | 'recovery'>;
  fail: (err: unknown) => void;
  latency: Histogram;
  request: Dispatcher.DispatchOptions | undefined;
  deadlines: Deadlines;
  tcpOpened: () => void;
  /** Retries the whole worker may still make (retry shape). */
  budget: number;
}

/**
 * One client of the burst and retry shapes: sends its share of the requests one after the other on its own
 * connection, retrying a failed one per the backoff (retry shape). Requests chain by callbacks: a response's end
 * dispatches the next request at once (undici then writes it after its one event-loop turn for a reused socket),
 * and a failure continues from a microtask or the backoff's timer.
 */
class ClientLoop implements CallOwner {
  call: Call | undefined;
  at = 0;
  private t0 = 0;
  private attempt = 0;
  private end: () => void = () => undefined;
  private crash: (err: unknown) => void = () => undefined;
  private readonly sendNext = (): void => this.send(performance.now());
  private readonly next = (): void => this.nextRequest(performance.now());
  private readonly tcpOk = (): void => this.succeeded();
  private readonly tcpFailed = (err: Error): void => this.failed(err);
  private readonly tcpCrashed = (err: unknown): void => this.crashed(err);

  constructor(
    private readonly s: LoopShared,
    readonly client: Client | undefined,
    private left: number,
  ) {
    if (client) s.deadlines.watch(this);
  }

  /** Resolves once this client has sent its share; rejects if the engine itself throws. */
  run(delayMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.end = resolve;
      this.crash = reject;
      if (delayMs > 0) setTimeout(this.next, delayMs);
      else queueMicrotask(this.next);
    });
  }

  private nextRequest(now: number): void {
    if (this.left <= 0) return this.end();
    this.left -= 1;
    this.s.r.requests += 1;
    this.attempt = 0;
    this.send(now);
  }

  private send(now: number): void {
    const { s } = this;
    s.r.attempts += 1;
    this.t0 = now;
    if (s.request && this.client) {
      this.at = now + s.deadlines.timeoutMs;
      this.call = new Call(this);
      this.client.dispatch(s.request, this.call);
    } else {
      tcpOnce(s.cfg, s.tcpOpened).then(this.tcpOk, this.tcpFailed).catch(this.tcpCrashed);
    }
  }

  succeeded(): void {
    const now = performance.now();
    this.at = 0;
    this.s.latency.recordValue(Math.max(1, Math.round((now - this.t0) * 1000)));
    this.s.r.ok += 1;
    this.nextRequest(now);
  }

  failed(err: Error): void {
    const { s } = this;
    this.at = 0;
    s.fail(err);
    if (s.cfg.shape !== 'retry' || this.attempt >= s.cfg.retries) return queueMicrotask(this.next);
    if (s.r.retries >= s.budget) {
      s.r.budgetDenied += 1;
      return queueMicrotask(this.next);
    }
    s.r.retries += 1;
    const wait = backoffMs(s.cfg.backoff, this.attempt, s.rng);
    this.attempt += 1;
    if (wait > 0) setTimeout(this.sendNext, wait);
    else queueMicrotask(this.sendNext);
  }

  crashed(err: unknown): void {
    this.at = 0;
    this.crash(err);
  }
}

/** One request at a time as a promise, for the reconnect shape (not a hot path: one request per interval). */
class Waiter implements CallOwner {
  call: Call | undefined;
  at = 0;
  private resolve: () => void = () => undefined;
  private reject: (err: Error) => void = () => undefined;

  constructor(private readonly deadlines: Deadlines) {
    deadlines.watch(this);
  }

  send(via: Client, request: Dispatcher.DispatchOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.at = performance.now() + this.deadlines.timeoutMs;
      this.call = new Call(this);
      via.dispatch(request, this.call);
    });
  }

  succeeded(): void {
    this.at = 0;
    this.resolve();
  }

  failed(err: Error): void {
    this.at = 0;
    this.reject(err);
  }

  crashed(err: unknown): void {
    this.failed(err as Error);
  }
}

/** The reconnect shape: each client owns one connection, requests every interval, reconnects after a failure. */
async function reconnectClients(
  cfg: EngineConfig,
  rng: Rng,
  deadlines: Deadlines,
  newClient: () => Client | undefined,
  once: (via: Client | undefined, waiter: Waiter) => Promise<number>,
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
  await Promise.all(
    Array.from({ length: cfg.clients }, async () => {
      await sleep(startDelay());
      const waiter = new Waiter(deadlines);
      let client = newClient();
      let first = true;
      let downSince: number | undefined;
      let failures = 0;
      while (performance.now() < deadline) {
        try {
          latency.recordValue(Math.max(1, Math.round(await once(client, waiter))));
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

/** Where a request's end goes, and its deadline (`at`, 0 when none): one per client loop. */
interface CallOwner {
  /** The request in flight, if any: callbacks of any other (an earlier request that timed out) are dropped. */
  call: Call | undefined;
  at: number;
  succeeded(): void;
  failed(err: Error): void;
  /** The owner's own code threw while handling the end (a bug): undici would swallow it, so this reports it. */
  crashed(err: unknown): void;
}

/**
 * Request timeouts of one worker on one coarse timer: each client loop registers once, and sets its deadline
 * (`at`) when it sends a request and clears it when the request ends; a sweep every quarter of the timeout (at
 * least 10 ms, at most 250 ms) aborts the overdue ones, so a request times out at most a quarter late. Nothing is
 * allocated or registered per request. The timer is unref'd and runs from the first `watch` to `close()`.
 */
export class Deadlines {
  private readonly owners = new Set<CallOwner>();
  private timer: NodeJS.Timeout | undefined;
  private readonly every: number;

  constructor(readonly timeoutMs: number) {
    this.every = Math.min(250, Math.max(10, Math.floor(timeoutMs / 4)));
  }

  /** Watches `owner`'s deadline from now on, for every request it sends (once per client loop). */
  watch(owner: CallOwner): void {
    if (this.timer === undefined) this.timer = setInterval(() => this.sweep(), this.every).unref();
    this.owners.add(owner);
  }

  private sweep(): void {
    const now = performance.now();
    for (const owner of this.owners) {
      if (owner.at === 0 || owner.at > now) continue;
      owner.at = 0;
      owner.call?.expire(
        Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { name: 'TimeoutError', code: 'timeout' }),
      );
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.owners.clear();
  }
}

/**
 * One HTTP request as undici's dispatch handler (the plain legacy shape, which undici runs without a wrapper):
 * a small object per request that reports its end to its client loop, and only while it is that loop's request
 * in flight. No body stream, no AbortSignal, no closures; the body is dropped as it comes.
 */
class Call implements Dispatcher.DispatchHandler {
  private status = 0;
  private late: Error | undefined;
  private cancel: ((err: Error) => void) | undefined;

  constructor(private readonly owner: CallOwner) {}

  /** The deadline passed: abort it in undici (which reports `onError`), or, still queued, fail it now. */
  expire(err: Error): void {
    if (this.cancel) this.cancel(err);
    else this.late = err; // undici's abort exists only from onConnect: that aborts it when it comes
    this.end(err);
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
    this.end(this.status >= 400 ? new HttpStatusError(this.status) : undefined);
  }

  onError(err: Error): void {
    this.end(err);
  }

  private end(err: Error | undefined): void {
    const { owner } = this;
    if (owner.call !== this) return; // already ended (a timeout, then undici's own report of it)
    owner.call = undefined;
    try {
      if (err) owner.failed(err);
      else owner.succeeded();
    } catch (bug) {
      owner.crashed(bug);
    }
  }
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
