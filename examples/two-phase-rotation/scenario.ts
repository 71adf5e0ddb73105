/**
 * The two-phase rotation as an explorer scenario: each run starts three instances (one with the schedule's
 * failpoints), rotates the CA from ca-v1 to ca-v2, stops everything and checks the invariant:
 * all instances end on the same CA, and none holds a half-rotated state (a leftover `ca.pem.prepared`).
 *
 *   npx turbulence explore examples/two-phase-rotation/scenario.ts --random 20            # finds the bug
 *   npx turbulence explore examples/two-phase-rotation/scenario.ts --option safe-prepare=1 # the fix: nothing
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOutcome, Scenario, Schedule } from 'turbulence';
import { Cluster } from './cluster.js';
import { rotate } from './coordinator.js';

/** Every failpoint of instance.mjs. */
export const FAILPOINTS = [
  'prepare.received',
  'prepare.written',
  'prepare.acked',
  'commit.received',
  'commit.renamed',
  'heartbeat.repair',
] as const;

const NAMES = ['a', 'b', 'c'] as const;

/** The invariant, over the instances' final files. */
export function violations(cluster: Cluster, names: readonly string[]): string[] {
  const out: string[] = [];
  const states = names.map((n) => ({ name: n, ...cluster.state(n) }));
  if (new Set(states.map((s) => s.ca)).size > 1) {
    out.push(`instances disagree on the CA: ${states.map((s) => `${s.name}=${s.ca ?? 'none'}`).join(', ')}`);
  }
  for (const s of states)
    if (s.prepared !== null) out.push(`${s.name} holds a half-rotated state (ca.pem.prepared left behind)`);
  return out;
}

async function runOnce(schedule: Schedule, safePrepare: boolean): Promise<RunOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'rotation-'));
  const cluster = new Cluster({
    names: NAMES,
    dir,
    safePrepare,
    initialCa: 'ca-v1',
    failpoints: { [schedule.instance]: schedule.failpoints },
    seed: schedule.seed,
  });
  try {
    await cluster.start();
    const result = await rotate(cluster, NAMES, { ca: 'ca-v2', version: 2 });
    await cluster.stop();
    const detail = `decision=${result.decision} settled=${result.settled} ${NAMES.map((n) => `${n}=${cluster.state(n).ca}`).join(' ')}`;
    return { violations: violations(cluster, NAMES), faulted: cluster.crashes > 0, fired: [...cluster.fired], detail };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The scenario; `safe-prepare=1` turns on the fix.
 *
 * @example
 * const report = await explore(createScenario({ 'safe-prepare': '1' }), { seed: 1 });
 */
export default function createScenario(options: Record<string, string> = {}): Scenario {
  const safePrepare = options['safe-prepare'] === '1' || options['safe-prepare'] === 'true';
  return {
    name: `two-phase-rotation${safePrepare ? ' (safe prepare)' : ''}`,
    instances: NAMES,
    failpoints: FAILPOINTS,
    run: (schedule) => runOnce(schedule, safePrepare),
  };
}
