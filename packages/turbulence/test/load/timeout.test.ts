/**
 * The load engine's request timeout (one sweep timer per worker, no timer per request): a server that accepts
 * and never answers ends every request as a `timeout` error, within the timeout plus its sweep; a server that
 * answers only some requests ends the others as timeouts while each client goes on with its next requests (the
 * late end of a timed-out request never ends the next one). Tested in the engine itself (no worker thread needed
 * for that).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEngine, type EngineConfig } from '../../src/faults/load/engine.js';

let server: Server;
let url = '';
const held: Socket[] = [];
let some: HttpServer;
let someUrl = '';
beforeAll(async () => {
  server = createServer((socket) => void held.push(socket)); // reads the request, never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  let n = 0;
  // Answers two requests out of three at once (on keep-alive connections), and never the third.
  some = createHttpServer((_req, res) => void ((n += 1) % 3 === 0 ? undefined : res.end('ok')));
  await new Promise<void>((resolve) => some.listen(0, '127.0.0.1', resolve));
  someUrl = `http://127.0.0.1:${(some.address() as { port: number }).port}/`;
});
afterAll(() => {
  for (const s of held) s.destroy();
  server.close();
  some.closeAllConnections();
  some.close();
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

  it('goes on after a timeout: the unanswered requests fail as timeouts, every other one succeeds', async () => {
    const r = await runEngine(config({ target: { url: someUrl }, clients: 3, requests: 30 }), () => undefined);
    expect(r.requests).toBe(30);
    expect(r.attempts).toBe(30);
    expect(r.ok).toBe(20);
    expect(r.errors).toEqual({ timeout: 10 });
    // A timed-out request's connection is closed: its client opens a new one for its next request, if any.
    expect(r.connectionsOpened).toBeGreaterThan(3);
    expect(r.connectionsOpened).toBeLessThanOrEqual(3 + 10);
  });
});
