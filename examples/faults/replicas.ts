/**
 * Process faults from the library: two HTTP replicas under turbulence's Supervisor, then
 *   1. process.stop on one replica chosen by the seed, for 1 s (it reverts itself), and
 *   2. process.kill with restart: true on replica-2, reverted by the run (the supervisor starts it again).
 * Everything is on 127.0.0.1, in a temporary TURBULENCE_HOME, and stopped at the end.
 *
 *   npx tsx examples/faults/replicas.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'turbulence-example-'));
process.env.TURBULENCE_HOME = home;
const { FaultManager, Rng, Supervisor } = await import('../../packages/turbulence/src/index.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function probe(port: number): Promise<string> {
  const start = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(300) });
    return `${(await res.text()).trim()} in ${(performance.now() - start).toFixed(0)} ms`;
  } catch (err) {
    return `no answer (${(err as Error).name})`;
  }
}

const sup = new Supervisor();
const faults = new FaultManager({ rng: new Rng(7), blastRadius: { maxTargets: 1, maxConcurrentFaults: 1 } });
faults.on('fault-injected', (f) => console.log(`  + ${f.kind} on ${f.target.name}`));
faults.on('fault-expired', (f) => console.log(`  ~ ${f.id} expired`));
faults.on('fault-reverted', (f) => console.log(`  - reverted ${f.kind} on ${f.target.name} (${f.reason})`));

try {
  const ports: number[] = [];
  for (const name of ['replica-1', 'replica-2']) {
    const port = await freePort();
    const server = `require('http').createServer((q, s) => s.end('${name} ok')).listen(${port}, '127.0.0.1')`;
    const rec = await sup.start({
      name,
      command: process.execPath,
      args: ['-e', server],
      readiness: { http: `http://127.0.0.1:${port}/` },
    });
    ports.push(port);
    console.log(`started ${name} (pid ${rec.pid}) on 127.0.0.1:${port}`);
  }
  const probeAll = async (when: string) => console.log(`${when}: ${(await Promise.all(ports.map(probe))).join(' | ')}`);

  console.log('\n1. pause one replica (chosen with seed 7) for 1 s');
  await faults.inject(
    { kind: 'process.stop', target: { cmdline: "replica-\\d ok'" }, select: { mode: 'one' }, durationMs: 1000 },
    { activity: 'pause one replica' },
  );
  await probeAll('   while paused');
  await new Promise((r) => setTimeout(r, 1300));
  await probeAll('   after expiry');

  console.log('\n2. kill replica-2 (restart on revert)');
  const [killed] = await faults.inject(
    { kind: 'process.kill', target: { managed: 'replica-2' }, params: { restart: true } },
    { activity: 'kill replica-2' },
  );
  await probeAll('   after the kill');
  await faults.revert(killed!.id);
  await probeAll('   after revert');
} finally {
  const failures = await faults.revertAll('example-end');
  for (const f of failures) console.error(`could not revert ${f.id}: ${f.error.message}`);
  const left = (await faults.ledger.list()).entries.length;
  faults.dispose();
  await sup.stopAll();
  rmSync(home, { recursive: true, force: true });
  console.log(`\nstopped both replicas; ${left} fault(s) left in the ledger`);
}
