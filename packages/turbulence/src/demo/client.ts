/**
 * The demo's client: sends requests across the replicas round-robin with failover (a failed request is retried
 * once on the next replica), and serves its own success ratio over HTTP so the experiment can probe it.
 *
 *   GET /success-ratio   → number: successes / requests over the last `windowMs`
 *   GET /stats           → { requests, successes, failures, ratio, byReplica, window }
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoClientOptions {
  /** Replica base URLs (http://127.0.0.1:PORT). */
  replicas: string[];
  /** Requests per second (default 40). */
  rate?: number;
  /** Sliding window for the ratio (default 3000 ms). */
  windowMs?: number;
  /** Per-request timeout (default 1000 ms). */
  timeoutMs?: number;
}

interface Sample {
  at: number;
  ok: boolean;
  replica?: string;
  latencyMs: number;
}

/** What the client saw over its window. */
export interface DemoStats {
  requests: number;
  successes: number;
  failures: number;
  ratio: number;
  p50Ms: number;
  /** Requests answered by each replica. */
  byReplica: Record<string, number>;
  /** Median latency of the answers of each replica, in ms. */
  p50ByReplicaMs: Record<string, number>;
}

/** A running demo client. */
export interface DemoClient {
  url: string;
  stats(): DemoStats;
  close(): Promise<void>;
}

function get(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString())
          : reject(new Error(`status ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Starts the client and its stats server on 127.0.0.1.
 *
 * @example
 * const client = await startDemoClient({ replicas: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'] });
 */
export async function startDemoClient(opts: DemoClientOptions): Promise<DemoClient> {
  const rate = opts.rate ?? 40;
  const windowMs = opts.windowMs ?? 3000;
  const timeoutMs = opts.timeoutMs ?? 1000;
  const samples: Sample[] = [];
  let next = 0;
  let inFlight = 0;

  const once = async () => {
    const started = performance.now();
    inFlight++;
    for (let attempt = 0; attempt < 2; attempt++) {
      const base = opts.replicas[next++ % opts.replicas.length]!;
      try {
        const body = JSON.parse(await get(`${base}/`, timeoutMs)) as { replica: string };
        samples.push({ at: Date.now(), ok: true, replica: body.replica, latencyMs: performance.now() - started });
        inFlight--;
        return;
      } catch {
        // fail over to the next replica
      }
    }
    samples.push({ at: Date.now(), ok: false, latencyMs: performance.now() - started });
    inFlight--;
  };
  const timer = setInterval(() => {
    if (inFlight < 50) void once();
    const cutoff = Date.now() - 60_000;
    while (samples.length > 0 && samples[0]!.at < cutoff) samples.shift();
  }, 1000 / rate);

  const stats = () => {
    const since = Date.now() - windowMs;
    const recent = samples.filter((s) => s.at >= since);
    const successes = recent.filter((s) => s.ok).length;
    const byReplica: Record<string, number> = {};
    for (const s of recent) if (s.replica) byReplica[s.replica] = (byReplica[s.replica] ?? 0) + 1;
    const lat = recent.map((s) => s.latencyMs).sort((a, b) => a - b);
    const p50ByReplicaMs: Record<string, number> = {};
    for (const name of Object.keys(byReplica)) {
      const mine = recent.filter((s) => s.replica === name).map((s) => s.latencyMs);
      p50ByReplicaMs[name] = Math.round(median(mine));
    }
    return {
      requests: recent.length,
      successes,
      failures: recent.length - successes,
      ratio: recent.length === 0 ? 1 : successes / recent.length,
      p50Ms: Math.round(median(lat)),
      byReplica,
      p50ByReplicaMs,
    };
  };

  const server: Server = createServer((req, res) => {
    const s = stats();
    const body =
      req.url === '/success-ratio' ? JSON.stringify(Number(s.ratio.toFixed(4))) : JSON.stringify({ ...s, windowMs });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
