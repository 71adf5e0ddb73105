/**
 * @module The runner side of a load: splits the clients over worker threads, waits for them (reconnect shape:
 * drops the connections once every client is connected), merges their HDR histograms and returns the output.
 *
 *   runner thread                         worker threads (undici pools / sockets)
 *   ─────────────                         ──────────────
 *   start N workers  ───── workerData ──▶ clients loop, histograms
 *   (reconnect) all 'ready' ──▶ drop: proxy disabled for blip / managed service restarted
 *   merge ◀────────── 'result' ────────── encoded histograms + counters
 *
 * Aborting (revert, Ctrl-C, the run's abort) terminates the workers: in-flight requests stop at once.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeFromCompressedBase64, build } from 'hdr-histogram-js';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { EngineConfig, EngineResult } from './engine.js';

/** What to do once every client is connected (reconnect shape). */
export type DropFn = () => Promise<void>;

function startWorker(data: EngineConfig): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(fileURLToPath(new URL('./worker.js', import.meta.url)), { workerData: data });
  // Under tsx (tests, `npm run dev`): register tsx in the worker first, then load the TypeScript entry.
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

/**
 * Runs a load over `threads` workers and returns its merged output.
 *
 * @example
 * const out = await runLoad(config, 2, new AbortController().signal);
 */
export async function runLoad(
  config: EngineConfig,
  threads: number,
  signal: AbortSignal,
  drop?: DropFn,
): Promise<JsonObject> {
  const n = Math.max(1, Math.min(threads, config.clients));
  const part = (total: number, i: number): number => Math.floor(total / n) + (i < total % n ? 1 : 0);
  const workers = Array.from({ length: n }, (_, i) =>
    startWorker({
      ...config,
      clients: part(config.clients, i),
      requests: part(config.requests, i),
      seed: config.seed + i,
    }),
  );
  let readyCount = 0;
  let dropping: Promise<void> | undefined;
  const stop = (): void => void workers.forEach((w) => void w.terminate());
  signal.addEventListener('abort', stop, { once: true });
  try {
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<EngineResult>((resolve, reject) => {
            w.on('message', (m: { type: string; result?: EngineResult; message?: string }) => {
              if (m.type === 'ready' && (readyCount += 1) === n && drop) dropping = drop();
              else if (m.type === 'result' && m.result) resolve(m.result);
              else if (m.type === 'error')
                reject(new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `load worker: ${m.message ?? ''}`));
            });
            w.once('error', reject);
            w.once('exit', () =>
              reject(new TurbulenceError(ErrorCodes.INTERRUPTED, 'the load was stopped before it finished')),
            );
          }),
      ),
    );
    await dropping;
    if (drop && readyCount < n) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_INJECT_FAILED,
        'not every client connected before the load ended: nothing was dropped',
        {
          hint: 'is the endpoint up? give the load a longer duration, or fewer clients',
        },
      );
    }
    return merge(config, results);
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

const ms = (us: number): number => Math.round(us) / 1000;

/** The output: counters summed, histograms merged, in milliseconds. */
export function merge(config: EngineConfig, results: readonly EngineResult[]): JsonObject {
  const latency = build();
  const recovery = build();
  const sum = (key: keyof EngineResult): number => results.reduce((a, r) => a + (r[key] as number), 0);
  const errors: Record<string, number> = {};
  for (const r of results) {
    latency.add(decodeFromCompressedBase64(r.latency));
    recovery.add(decodeFromCompressedBase64(r.recovery));
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  }
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  const pct = (h: typeof latency) => ({
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  });
  const requests = sum('requests');
  const attempts = sum('attempts');
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const out: JsonObject = {
    clients: config.clients,
    requests,
    attempts,
    ok: sum('ok'),
    errorCount,
    errors,
    connectionsOpened: sum('connectionsOpened'),
    durationMs: Math.round(elapsedMs),
    requestsPerSecond: elapsedMs > 0 ? Math.round((attempts / elapsedMs) * 1000) : 0,
    latencyMs: pct(latency),
  };
  if (config.shape === 'retry') {
    Object.assign(out, {
      retries: sum('retries'),
      budgetDenied: sum('budgetDenied'),
      amplification: requests > 0 ? Math.round((attempts / requests) * 100) / 100 : 0,
    });
  }
  if (config.shape === 'reconnect') {
    const dropped = sum('dropped');
    const recovered = sum('recovered');
    Object.assign(out, { dropped, recovered, allRecovered: recovered >= dropped, recoveryMs: pct(recovery) });
  }
  latency.destroy();
  recovery.destroy();
  return out;
}
