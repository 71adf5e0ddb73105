/**
 * The load engine's request timeout (one sweep timer per worker, no timer per request): a server that accepts
 * and never answers ends every request as a `timeout` error, within the timeout plus its sweep; tested in the
 * engine itself (no worker thread needed for that).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEngine, type EngineConfig } from '../../src/faults/load/engine.js';

let server: Server;
let url = '';
const held: Socket[] = [];
beforeAll(async () => {
  server = createServer((socket) => void held.push(socket)); // reads the request, never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => {
  for (const s of held) s.destroy();
  server.close();
});

const config = (over: Partial<EngineConfig>): EngineConfig => ({
  shape: 'burst',
  target: { url },
  clients: 4,
  requests: 8,
  jitterMs: 0,
  timeoutMs: 300,
  method: 'GET',
  keepAlive: true,
  retries: 0,
  backoff: { policy: 'immediate', base: 0, max: 0, jitter: false },
  durationMs: 0,
  intervalMs: 0,
  seed: 1,
  ...over,
});

describe('the load engine request timeout', () => {
  it('fails every request that gets no answer as a timeout, each within about the timeout', async () => {
    const started = performance.now();
    const r = await runEngine(config({}), () => undefined);
    expect(r.errors).toEqual({ timeout: 8 });
    expect(r.ok).toBe(0);
    // Two rounds of 300 ms per client, each at most a quarter late; generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
  });
});
