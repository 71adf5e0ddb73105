/**
 * Bad configuration pushed to a running service by restarting it: `config.env` and `config.arg` on a process
 * turbulence supervises. The service (./service.cjs) takes its body limit from MAX_BODY_BYTES and its mode from
 * --mode; a 1 KiB POST is the probe.
 *
 *   1. config.env MAX_BODY_BYTES=16     the restarted service refuses the probe (413); revert: 200 again
 *   2. config.arg --mode maintenance    the restarted service answers 503;            revert: 200 again
 *   3. config.env MAX_BODY_BYTES=lots   the service does not come up at all (state: ready: false); revert: 200
 *
 * Everything is on 127.0.0.1, in a temporary TURBULENCE_HOME, and stopped at the end. Needs Linux (/proc), no root.
 *
 *   npx tsx examples/config-env/bad-config.ts
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'turbulence-example-'));
process.env.TURBULENCE_HOME = home;
const { FaultManager, Rng, Supervisor } = await import('../../packages/turbulence/src/index.js');

const dir = mkdtempSync(join(tmpdir(), 'turbulence-config-env-'));
copyFileSync(join(import.meta.dirname, 'service.cjs'), join(dir, 'service.cjs'));

/** POSTs 1 KiB to the service; its status, or why there was none. */
async function probe(): Promise<string> {
  try {
    const port = readFileSync(join(dir, 'port'), 'utf8');
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: 'x'.repeat(1024),
      signal: AbortSignal.timeout(1000),
    });
    return `${res.status} ${(await res.text()).trim()}`;
  } catch {
    return 'no answer';
  }
}

const sup = new Supervisor();
const faults = new FaultManager({ rng: new Rng(1) });
faults.on('fault-injected', (f) => console.log(`  + ${f.kind} on ${f.target.name}`));
faults.on('fault-reverted', (f) => console.log(`  - reverted ${f.kind} (${f.reason})`));

try {
  const rec = await sup.start({
    name: 'api',
    command: process.execPath,
    args: ['service.cjs', '--mode', 'serve'],
    env: { MAX_BODY_BYTES: '65536' },
    cwd: dir,
    readiness: { exec: ['test', '-s', join(dir, 'port')] },
    readyTimeoutMs: 5000,
  });
  console.log(`started api (pid ${rec.pid}): ${await probe()}`);

  const steps: { kind: string; params: Record<string, string | number> }[] = [
    { kind: 'config.env', params: { name: 'MAX_BODY_BYTES', value: 16 } },
    { kind: 'config.arg', params: { flag: '--mode', value: 'maintenance' } },
    { kind: 'config.env', params: { name: 'MAX_BODY_BYTES', value: 'lots' } },
  ];
  for (const [i, step] of steps.entries()) {
    console.log(`\n${i + 1}. ${step.kind} ${JSON.stringify(step.params)}`);
    const [fault] = await faults.inject({ ...step, target: { managed: 'api' } }, { activity: `step ${i + 1}` });
    console.log(`   while in effect: ${await probe()}`);
    await faults.revert(fault!.id);
    console.log(`   after revert:    ${await probe()}`);
  }
} finally {
  const failures = await faults.revertAll('example-end');
  for (const f of failures) console.error(`could not revert ${f.id}: ${f.error.message}`);
  faults.dispose();
  await sup.stopAll();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
