/**
 * The dashboard server (`turbulence ui`): the control-API layer (loopback by default, a token elsewhere compared in
 * constant time, cross-site writes refused, `{error, status}` errors) plus the built web app (`@fastify/static`).
 *
 *   GET  /api/events?since=N      Server-Sent Events: every event of the hub (run, fault, proxy, dns, supervisor)
 *   POST /api/events              events from another process (`turbulence run --ui URL`): one or an array
 *                                 (without --ui, processes on this home reach the hub through `sessions`)
 *   GET  /api/runs                live runs (seen by the hub) and history (journals on disk)
 *   GET  /api/runs/live/:runId    a live run: the report's model and timeline SVG
 *   GET  /api/runs/file/:name     a journal on disk: the same
 *   GET  /api/faults              the ledger: active faults
 *   POST /api/faults/:id/revert   revert one (through the ledger, as `turbulence fault revert` does)
 *   POST /api/faults/revert-all   revert every one (the panic button)
 *   GET  /api/doctor              which fault kinds work on this machine
 *   GET  /api/demo, POST /api/demo/run   with --demo: the demo system, and start the demo experiment
 *   /api/proxies..., /api/arcade...      proxies and toxics (proxies.ts), the arcade (arcade.ts)
 *   GET  /api/dns, GET /api/labs         DNS rules of the chaos DNS servers and running labs (inventory.ts)
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createControlServer, listenControl, ControlError } from '../control/index.js';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { stamp } from '../core/events.js';
import { Ledger } from '../faults/ledger.js';
import { revertLedgerEntry } from '../faults/recover.js';
import { buildRunModel, type RunModel } from '../report/model.js';
import { parseJournalText } from '../report/read.js';
import { timelineSvg } from '../report/timeline.js';
import { EventHub, invalidEvent } from './hub.js';
import { dashboardDir } from './assets.js';
import type { DemoControl } from './demo.js';
import { registerProxies } from './proxies.js';
import { watchSessions } from './session-watch.js';
import { registerArcade, type ArcadeSource } from './arcade.js';
import { registerInventory } from './inventory.js';

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  host?: string;
  port?: number;
  token?: string | undefined;
  /** Directory of journals shown as history (default `$TURBULENCE_HOME/journals`). */
  journals: string;
  ledger?: Ledger;
  /** A Toxiproxy-compatible API for the proxies view (the demo brings its own). */
  proxyApi?: { api: string; token?: string | undefined };
  /** The demo system, with `--demo`. */
  demo?: DemoControl;
  /** Events kept for late subscribers (default 10,000). */
  capacity?: number;
  /**
   * Session directory to follow (`$TURBULENCE_HOME/sessions`): runs, `fault inject` and monkeys of other processes
   * appear live (see `session-watch.ts`). Default: not followed.
   */
  sessions?: string;
  /** Arcade targets without `--demo` (with it, the demo control registers the arcade with these added). */
  arcade?: readonly ArcadeSource[];
  /** Chaos DNS control APIs the DNS view lists (besides those the ledger and running labs name). */
  dnsApis?: string[];
}

/** A running dashboard server. */
export interface UiServer {
  url: string;
  port: number;
  hub: EventHub;
  app: FastifyInstance;
  close(): Promise<void>;
}

const JOURNAL_NAME = /^[\w.-]+\.json$/;

function withSvg(model: RunModel): { model: RunModel; svg: string } {
  return { model, svg: timelineSvg(model, { title: `timeline of ${model.title}` }) };
}

/**
 * Starts the dashboard server.
 *
 * @example
 * const ui = await startUiServer({ host: '127.0.0.1', port: 8475, journals: '/tmp/journals' });
 * console.log(ui.url);
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const hub = new EventHub({ capacity: options.capacity ?? 10_000 });
  const ledger = options.ledger ?? new Ledger();
  const app = createControlServer({
    host,
    token: options.token,
    public: (path) => !path.startsWith('/api/'),
    refuseOpenBind: (h) =>
      new TurbulenceError(
        ErrorCodes.USAGE,
        `the dashboard would listen on ${h}, which is not loopback, without a token`,
        {
          hint: 'pass --token T (clients send "Authorization: Bearer T"), or keep the default --host 127.0.0.1',
        },
      ),
  });
  await app.register(fastifyStatic, { root: dashboardDir(), index: ['index.html'] });

  // Which optional views this server has, so the page shows their buttons without probing (no 404s).
  const views = {
    demo: options.demo !== undefined,
    arcade: options.demo !== undefined || (options.arcade?.length ?? 0) > 0,
    proxies: options.proxyApi !== undefined || options.demo !== undefined,
  };
  app.get('/api/health', () => ({ status: 'ok', events: hub.size, views }));
  app.get<{ Querystring: { since?: string } }>('/api/events', (request, reply) => {
    const since = Number(request.query.since ?? 0);
    if (!Number.isInteger(since) || since < 0) throw new ControlError('since: a non-negative integer', 400);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n'); // sends the headers now: the client knows it is live
    const send = (e: { seq: number; event: unknown }) =>
      res.write(`id: ${e.seq}\ndata: ${JSON.stringify(e.event)}\n\n`);
    for (const e of hub.since(since)) send(e);
    const off = hub.subscribe(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(ping);
      off();
    });
  });
  app.post('/api/events', (request) => {
    const list = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
    list.forEach((e, i) => {
      const why = invalidEvent(e);
      if (why) throw new ControlError(`event ${i}: ${why}`, 400);
    });
    for (const e of list) hub.add(e as Parameters<EventHub['add']>[0], 'post');
    return { accepted: list.length };
  });

  app.get('/api/runs', async () => ({
    live: hub.liveRuns().map(({ runId, journal }) => ({
      runId,
      title: journal.experiment.title,
      status: journal.status ?? 'running',
      start: journal.start,
    })),
    history: await history(options.journals),
  }));
  app.get<{ Params: { runId: string } }>('/api/runs/live/:runId', (request) => {
    const journal = hub.journal(request.params.runId);
    if (!journal) throw new ControlError(`no live run ${request.params.runId}`, 404);
    return withSvg(buildRunModel(JSON.parse(JSON.stringify(journal)) as unknown, `run ${request.params.runId}`));
  });
  app.get<{ Params: { name: string } }>('/api/runs/file/:name', async (request) => {
    const name = request.params.name;
    if (!JOURNAL_NAME.test(name))
      throw new ControlError(`name: ${JSON.stringify(name)} is not a journal file name`, 400);
    const text = await readFile(join(options.journals, name), 'utf8').catch(() => {
      throw new ControlError(`no journal ${name} in ${options.journals}`, 404);
    });
    try {
      return withSvg(parseJournalText(text, name));
    } catch (err) {
      throw new ControlError(errorMessage(err), 422);
    }
  });

  app.get('/api/faults', async () => {
    const { entries, corrupt } = await ledger.list();
    return { faults: entries, corrupt };
  });
  const revert = async (id: string) => {
    const entry = await revertLedgerEntry(id, ledger, 'ui');
    hub.add(
      stamp('fault', {
        type: 'fault.reverted',
        id: entry.id,
        kind: entry.kind,
        runId: entry.owner.runId ?? null,
        target: { id: entry.target.id, name: entry.target.name },
        reason: 'ui',
      }),
    );
    return entry.id;
  };
  app.post<{ Params: { id: string } }>('/api/faults/:id/revert', async (request) => {
    try {
      return { reverted: [await revert(request.params.id)] };
    } catch (err) {
      if (err instanceof TurbulenceError && err.code === ErrorCodes.USAGE) throw new ControlError(err.message, 404);
      throw err;
    }
  });
  app.post('/api/faults/revert-all', async () => {
    const { entries } = await ledger.list();
    const reverted: string[] = [];
    const failed: { id: string; error: string }[] = [];
    for (const e of entries) {
      try {
        reverted.push(await revert(e.id));
      } catch (err) {
        failed.push({ id: e.id, error: errorMessage(err) });
      }
    }
    return { reverted, failed };
  });

  let doctor: Promise<unknown> | undefined;
  app.get('/api/doctor', () => {
    doctor ??= import('../faults/doctor.js').then(async (d) => ({
      machine: await d.machineFacts(),
      kinds: await d.kindFacts(),
    }));
    return doctor;
  });
  if (options.proxyApi) registerProxies(app, options.proxyApi);
  options.demo?.routes(app, hub);
  const stopArcade =
    !options.demo && options.arcade?.length
      ? registerArcade(app, options.arcade, { maxConcurrentFaults: 1 })
      : undefined;
  registerInventory(app, ledger, { dnsApis: options.dnsApis ?? [], targets: options.arcade ?? [] });

  const sessions = options.sessions ? await watchSessions(options.sessions, hub) : undefined;
  const { url, port } = await listenControl(app, host, options.port ?? 8475, 'dashboard').catch((err: unknown) => {
    sessions?.close();
    throw err;
  });
  return {
    url,
    port,
    hub,
    app,
    async close() {
      sessions?.close();
      await stopArcade?.();
      hub.close();
      await app.close();
    },
  };
}

/** Journals in `dir`, newest first, as summaries (unreadable ones are listed with their error). */
async function history(dir: string): Promise<unknown[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { file: string; title?: string; status?: string; score?: number; start?: number; error?: string }[] = [];
  for (const name of names.filter((n) => JOURNAL_NAME.test(n))) {
    try {
      const m = parseJournalText(await readFile(join(dir, name), 'utf8'), basename(name));
      out.push({ file: name, title: m.title, status: m.status, score: m.score.value, start: m.start });
    } catch (err) {
      out.push({ file: name, error: errorMessage(err) });
    }
  }
  return out.sort((a, b) => (b.start ?? 0) - (a.start ?? 0));
}
