/**
 * @module The monkey's HTTP endpoint on the control-API layer (`control/`): loopback by default, a bearer token
 * when bound elsewhere, cross-site requests refused.
 *
 *   GET  /status    {name, seed, halted, active faults, leashed}
 *   POST /halt      {reason?} → kill switch thrown: active faults reverted, nothing injected until resume
 *   POST /resume    → kill switch released
 *   GET  /metrics   Prometheus text
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { createControlServer, listenControl } from '../control/index.js';
import type { MonkeyRunner } from './runner.js';

/** Options of {@link serveMonkeyControl}. */
export interface MonkeyControlOptions {
  host: string;
  port: number;
  token?: string;
}

/**
 * Serves a running monkey's endpoint; returns its URL and a close function.
 *
 * @example
 * const control = await serveMonkeyControl(runner, { host: '127.0.0.1', port: 0 });
 * await fetch(`${control.url}/halt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
 */
export async function serveMonkeyControl(
  runner: MonkeyRunner,
  opts: MonkeyControlOptions,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app: FastifyInstance = createControlServer({
    host: opts.host,
    token: opts.token,
    refuseOpenBind: (host) =>
      new TurbulenceError(ErrorCodes.USAGE, `the monkey endpoint on ${host} needs a token`, {
        hint: 'pass --control-token (or TURBULENCE_MONKEY_TOKEN), or keep the default 127.0.0.1',
      }),
  });
  app.get('/status', () => ({
    name: runner.store.dir,
    runId: runner.runId,
    leashed: runner.leashed,
    halted: runner.haltedBy() ?? null,
    active: runner.activeFaults().map((f) => ({ id: f.id, kind: f.kind, target: f.target.name })),
  }));
  app.post('/halt', async (request) => {
    const body = (request.body ?? {}) as { reason?: unknown };
    const reason = typeof body.reason === 'string' && body.reason !== '' ? body.reason : 'halted over HTTP';
    await runner.halt(reason, 'http');
    return { halted: runner.haltedBy() ?? null, active: runner.activeFaults().length };
  });
  app.post('/resume', async () => {
    await runner.resume();
    return { halted: runner.haltedBy() ?? null };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', runner.metrics.registry.contentType);
    return runner.metrics.text();
  });
  const { url } = await listenControl(app, opts.host, opts.port, 'monkey endpoint');
  return { url, close: () => app.close() };
}
