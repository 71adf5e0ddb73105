/**
 * `turbulence demo`: the main job of `npm start`. Starts a small system on loopback (three replicas of an HTTP
 * service and a client with failover, the third replica behind a turbulence proxy), runs the bundled experiment
 * against it (kill one replica, then add latency to the proxied one; hypothesis "≥ 99 % of requests succeed"), prints what happens, the verdict and where the journal is, and stops everything
 * it started. Needs no root.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadExperiment } from '../../experiment/load.js';
import { runExperiment } from '../../experiment/run.js';
import { RunEvents } from '../../experiment/events.js';
import { turbulenceHome } from '../../os/home.js';
import type { DemoStats } from '../../demo/client.js';
import { DEMO_EXPERIMENT, startDemoSystem, type DemoSystem } from '../../demo/system.js';
import { writeJournalLive } from '../../experiment/journal-file.js';
import { terminalRenderer } from '../render/terminal.js';
import { trapInterrupts } from '../signals.js';
import { sleep } from '../../experiment/context.js';
import { parseInteger } from '../parse.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'start a small system on loopback, kill one replica and slow another through the proxy, and check the service keeps serving',
    )
    .option('--seed <n>', 'seed for the run', '42')
    .option('--journal-path <path>', 'where to write the journal (default: $TURBULENCE_HOME/demo/journal.json)')
    .action(async (flags: { seed: string; journalPath?: string }) => {
      process.exitCode = await demo(parseInteger('--seed', flags.seed), flags.journalPath);
    });
}

async function demo(seed: number, journalPath?: string): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const interrupts = trapInterrupts();
  let system: DemoSystem | undefined;
  try {
    out('turbulence demo: a service with three replicas and a client that fails over.');
    system = await startDemoSystem({ seed, say: out });
    const { replicas } = system;
    const slow = replicas[2]!;
    out('  warming up for 3 s so the client has a full window of requests...');
    await sleep(3000, interrupts.soft);

    const victim = replicas[1]!;
    Object.assign(process.env, system.env);
    const loaded = await loadExperiment(DEMO_EXPERIMENT);
    const events = new RunEvents();
    events.on(terminalRenderer({ write: (s) => process.stdout.write(s), color }));
    const path = journalPath ?? join(turbulenceHome(), 'demo', 'journal.json');
    const journalFile = writeJournalLive(events, path);
    out('');
    const { journal, exitCode } = await runExperiment(loaded.experiment, {
      baseDir: loaded.baseDir,
      seed,
      events,
      journal: journalFile.builder,
      signal: interrupts.soft,
      hardSignal: interrupts.hard,
    });
    await journalFile.flush();
    out('');
    const seen = (name: string) =>
      journal.run.find((r) => r.activity.name === name)?.output as { body?: DemoStats } | undefined;
    const killed = seen('client-stats-under-fault')?.body;
    const slowed = seen('client-stats-under-latency')?.body;
    if (killed)
      out(`  with ${victim.name} killed: ${killed.successes}/${killed.requests} requests succeeded (failover)`);
    if (slowed) {
      const p50 = slowed.p50ByReplicaMs[slow.name] ?? 0;
      const others = Object.entries(slowed.p50ByReplicaMs)
        .filter(([n]) => n !== slow.name)
        .map(([, v]) => v);
      out(
        `  with 200 ms latency on ${slow.name}: its answers took ${p50} ms (median) vs ${Math.max(0, ...others)} ms for the others; ${slowed.successes}/${slowed.requests} succeeded`,
      );
    }
    out(`  journal: ${path}`);
    out(
      exitCode === 0
        ? '  The system withstood the fault.'
        : '  The system did NOT withstand the fault (or the run did not complete).',
    );
    return exitCode;
  } finally {
    interrupts.dispose();
    await system?.close();
    out('  stopped everything the demo started.');
  }
}
