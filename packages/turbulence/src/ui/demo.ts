/**
 * `turbulence ui --demo`: the demo system (three replicas, a proxy, a client) started beside the dashboard, and a
 * route that runs the bundled demo experiment in this process, so its events reach the dashboard live.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ControlError } from '../control/index.js';
import { DEMO_EXPERIMENT, startDemoSystem, type DemoSystem } from '../demo/system.js';
import { loadExperiment } from '../experiment/load.js';
import { runExperiment } from '../experiment/run.js';
import { RunEvents } from '../experiment/events.js';
import { writeJournalLive } from '../experiment/journal-file.js';
import { alive as isAlive } from '../os/signals.js';
import type { EventHub } from './hub.js';
import { demoSource, registerArcade, type ArcadeSource } from './arcade.js';
import { registerProxies } from './proxies.js';

/** The demo as the dashboard drives it. */
export interface DemoControl {
  system: DemoSystem;
  /** Registers `GET /api/demo` and `POST /api/demo/run`. */
  routes(app: FastifyInstance, hub: EventHub): void;
  /** Stops a run in progress (its faults revert) and the demo system. */
  close(): Promise<void>;
}

/**
 * Starts the demo system; runs of the demo experiment write their journals into `journals`.
 *
 * @example
 * const demo = await startDemoControl({ seed: 42, journals: '/tmp/j' });
 * const ui = await startUiServer({ journals: '/tmp/j', demo });
 */
export async function startDemoControl(options: {
  seed: number;
  journals: string;
  /** More arcade targets beside the replicas (`--arcade-lab`, `--arcade-container`, `--arcade-pod`). */
  arcade?: readonly ArcadeSource[];
}): Promise<DemoControl> {
  const extra = options.arcade ?? [];
  const system = await startDemoSystem({ seed: options.seed });
  Object.assign(process.env, system.env);
  let running: { abort: AbortController; done: Promise<unknown> } | undefined;
  let stopArcade: (() => Promise<void>) | undefined;
  return {
    system,
    routes(app) {
      // One replica down at a time: the client fails over, so the service keeps answering.
      const sources = [
        demoSource(
          system.replicas.map((r) => r.name),
          15_000,
        ),
        ...extra,
      ];
      stopArcade = registerArcade(app, sources, { maxConcurrentFaults: 1 });
      registerProxies(app, { api: system.proxy.url });
      app.get('/api/demo', () => ({
        replicas: system.replicas.map((r) => {
          const pid = system.supervisor.get(r.name)?.pid ?? r.pid;
          return { ...r, pid, alive: isAlive(pid) };
        }),
        proxy: system.proxy.url,
        client: system.client.url,
        running: running !== undefined,
      }));
      app.post('/api/demo/run', async (_request, reply) => {
        if (running) throw new ControlError('the demo experiment is already running', 409);
        const loaded = await loadExperiment(DEMO_EXPERIMENT);
        const events = new RunEvents();
        const journal = writeJournalLive(events, join(options.journals, `demo-${Date.now()}.json`));
        const abort = new AbortController();
        const done = runExperiment(loaded.experiment, {
          baseDir: loaded.baseDir,
          seed: options.seed,
          events,
          journal: journal.builder,
          signal: abort.signal,
        })
          .then(() => journal.flush())
          .catch(() => undefined)
          .finally(() => {
            running = undefined;
          });
        running = { abort, done };
        return reply.code(202).send({ started: true });
      });
    },
    async close() {
      running?.abort.abort();
      await running?.done;
      await stopArcade?.();
      await system.close();
    },
  };
}
