/**
 * The etcd high-availability story, end to end: `lab up` a real 3-member etcd cluster, `turbulence run` two
 * experiments, `lab down`. The three-endpoint client survives a leader kill (exit 0); in one run with both clients,
 * the cluster holds while the one-endpoint client deviates when its member is killed (exit 1). Nothing of the lab
 * is left afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem } from '../../packages/turbulence/test/support/system.js';
import { runCli } from '../../packages/turbulence/test/support/cli.js';

const sys = requireSystem('root', 'ip', 'nft', 'etcd');
const LAB = join(import.meta.dirname, 'lab.yaml');
const home = mkdtempSync(join(tmpdir(), 'tb-etcd-'));
/** The namespaces of a lab named etcd (`tb-etcd.<host>`, `tb-etcd_sw`). */
const etcdNamespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^tb-etcd[._]/.test(l));
const busy = sys.skip ? false : etcdNamespaces().length > 0;
if (busy) console.warn('[skip] a lab named etcd is already up on this machine');

/** The CLI from the sources, with this test's TURBULENCE_HOME; `out` is stdout and stderr as they came. */
const cli = (args: string[]) => runCli(args, { timeoutMs: 120_000, env: { ...process.env, TURBULENCE_HOME: home } });

describe.skipIf(sys.skip || busy)('examples/etcd', () => {
  beforeAll(async () => {
    const up = await cli(['lab', 'up', LAB]);
    expect(up.out).toContain('lab etcd is up');
  }, 90_000);
  afterAll(async () => {
    await cli(['lab', 'down', LAB]);
    expect(etcdNamespaces()).toEqual([]);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('keeps writing through a leader kill with three endpoints, losing nothing', async () => {
    const run = await cli([
      'run',
      join(import.meta.dirname, 'kill-leader.yaml'),
      '--journal-path',
      join(home, 'a.json'),
    ]);
    expect(run.out).toMatch(/\[etcd kill-leader\] .* lost 0 → held/);
    expect(run.code).toBe(0);
  }, 120_000);

  it('one run, both clients: the cluster holds while the one-endpoint client deviates, in the same journal', async () => {
    const journalPath = join(home, 'b.json');
    const run = await cli(['run', join(import.meta.dirname, 'one-endpoint-kill.yaml'), '--journal-path', journalPath]);
    expect(run.out).toMatch(/\[etcd three-endpoints\] .* lost 0 → held/);
    expect(run.out).toMatch(/\[etcd one-endpoint\] .* DEVIATED/);
    // The terminal says what the revert of a SIGKILL really did: the lab's supervisor had restarted n1.
    expect(run.out).toMatch(/process\.kill on .*: nothing to undo: .* restarted by its supervisor before revert/);
    expect(run.out).not.toMatch(/↺ reverted process\.kill/);
    expect(run.code).toBe(1);
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
      deviated: boolean;
      steady_states: { after: { probes: { activity: { name: string }; tolerance_met: boolean }[] } };
      faults: { revert_note?: string }[];
    };
    expect(journal.deviated).toBe(true);
    expect(journal.steady_states.after.probes.map((p) => [p.activity.name, p.tolerance_met])).toEqual([
      ['cluster - writes through all three endpoints', true],
      ['one-endpoint client - writes through n1 only', false],
    ]);
    expect(journal.faults[0]?.revert_note).toMatch(/^nothing to undo: .* restarted by its supervisor/);
  }, 120_000);
});
