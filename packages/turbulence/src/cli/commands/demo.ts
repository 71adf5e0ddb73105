/**
 * `turbulence demo`: the main job of `npm start`. Starts a small system on loopback (three replicas of an HTTP
 * service and a client with failover), runs the bundled experiment against it (kill one replica, hypothesis
 * "≥ 99 % of requests succeed"), prints what happens, the verdict and where the journal is, and stops everything
 * it started. Needs no root.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadExperiment } from '../../experiment/load.js';
import { runExperiment } from '../../experiment/run.js';
import { RunEvents } from '../../experiment/events.js';
import { Supervisor } from '../../supervisor/index.js';
import { turbulenceHome } from '../../faults/paths.js';
import { startDemoClient } from '../../demo/client.js';
import { terminalRenderer } from '../render/terminal.js';
import { sleep } from '../../experiment/context.js';

const EXPERIMENT = fileURLToPath(new URL('../../../demo/experiment.json', import.meta.url));
const REPLICA = fileURLToPath(new URL('../../demo/replica.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('start a small system on loopback, kill one replica, and check the service keeps serving')
    .option('--seed <n>', 'seed for the run', '42')
    .option('--journal-path <path>', 'where to write the journal (default: $TURBULENCE_HOME/demo/journal.json)')
    .action(async (flags: { seed: string; journalPath?: string }) => {
      process.exitCode = await demo(Number(flags.seed), flags.journalPath);
    });
}

async function demo(seed: number, journalPath?: string): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const supervisor = new Supervisor();
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort('SIGINT');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let client: Awaited<ReturnType<typeof startDemoClient>> | undefined;
  try {
    out('turbulence demo: a service with three replicas and a client that fails over.');
    const replicas: { name: string; url: string }[] = [];
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const name = `demo-replica-${i}`;
      const rec = await supervisor.start({
        name,
        command: process.execPath,
        args: [REPLICA, name, String(port)],
        readiness: { tcp: { host: '127.0.0.1', port } },
      });
      replicas.push({ name, url: `http://127.0.0.1:${port}` });
      out(`  started ${name} on 127.0.0.1:${port} (pid ${rec.pid})`);
    }
    client = await startDemoClient({ replicas: replicas.map((r) => r.url), rate: 40, windowMs: 3000 });
    out(`  started the client: 40 requests/s across the replicas, stats at ${client.url}/stats`);
    out('  warming up for 3 s so the client has a full window of requests...');
    await sleep(3000, interrupt.signal);

    const victim = replicas[1]!;
    process.env.TURBULENCE_DEMO_CLIENT_URL = client.url;
    process.env.TURBULENCE_DEMO_VICTIM = victim.name;
    process.env.TURBULENCE_DEMO_VICTIM_URL = victim.url;
    const loaded = await loadExperiment(EXPERIMENT);
    const events = new RunEvents();
    events.on(terminalRenderer({ write: (s) => process.stdout.write(s), color }));
    out('');
    const { journal, exitCode } = await runExperiment(loaded.experiment, {
      baseDir: loaded.baseDir,
      seed,
      events,
      signal: interrupt.signal,
    });
    const path = journalPath ?? join(turbulenceHome(), 'demo', 'journal.json');
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, `${JSON.stringify(journal, null, 2)}\n`);
    const s = client.stats();
    out('');
    out(
      `  client over the last 3 s: ${s.successes}/${s.requests} requests succeeded, served by ${JSON.stringify(s.byReplica)}`,
    );
    out(`  journal: ${path}`);
    out(
      exitCode === 0
        ? '  The system withstood the fault.'
        : '  The system did NOT withstand the fault (or the run did not complete).',
    );
    return exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client?.close();
    await supervisor.stopAll();
    out('  stopped everything the demo started.');
  }
}
