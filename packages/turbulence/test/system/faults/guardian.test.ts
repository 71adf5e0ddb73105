/**
 * The guardian (issue 14 §1) and isolated concurrent faults (§2), as a user meets them: a real
 * `turbulence fault inject KIND --duration 3s` (and a `turbulence run`) SIGKILLed mid-fault leaves a clean machine
 * after the duration with no `recover`; two runs on one target each revert only their own, or the second is
 * refused when the two cannot coexist.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockHeld } from '../../../src/faults/guardian/lock.js';
import { guardianLockFile } from '../../../src/faults/guardian/guardian.js';
import { taggedPids } from '../../../src/faults/stress/driver.js';
import { cliProcesses } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { freshHomeEachTest, hasProc, homeLedger, ledgerIds, spawnOrphan, stateOf } from './helpers.js';

const root = requireSystem('root');

/** The v2 (or v1 memory) cgroup path of a pid. */
const cgroupOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
};
const inTurbulenceCgroup = (pid: number): boolean => /turbulence_/.test(cgroupOf(pid));
/** Stress workers of this test's faults (their tags start with the fault id, `stress-cpu-...`). */
const stressWorkers = (ids: string[]): number[] => ids.flatMap((id) => taggedPids(`tb-stress-${id}`));

// Every CLI start loads the TypeScript sources through tsx, and so does the guardian it spawns: seconds each here.
describe.skipIf(!hasProc)('the guardian and concurrent faults (CLI)', { timeout: 120_000 }, () => {
  const cli = cliProcesses();
  const env = freshHomeEachTest({ cli, recoverAll: true });
  const ledgerEmpty = async (): Promise<boolean> => (await homeLedger().list()).entries.length === 0;
  /** `fault inject stress.cpu` on the host: one worker at 5 %, for `duration`. */
  const stressCpu = (duration: string) =>
    cli.start(['fault', 'inject', 'stress.cpu', '-t', 'host=true', '-p', 'workers=1', '-p', 'load=5', '-d', duration]);
  /** `fault inject limit.memory` on `pid` with a `max`, for `duration`. */
  const limitMemory = (pid: number, max: string, duration: string) =>
    cli.start(['fault', 'inject', 'limit.memory', '-t', `pid=${pid}`, '-p', `max=${max}`, '-d', duration]);

  /** SIGKILLs `inject KIND ... -d 3s` once in effect; the fault must stay, then be gone after 3 s with no recover. */
  async function killedMidFault(args: string[], inEffect: () => Promise<boolean> | boolean): Promise<void> {
    const runner = cli.start(['fault', 'inject', ...args, '--duration', '3s']);
    expect(await eventually(async () => (await ledgerIds()).length === 1 && (await inEffect()), 60_000)).toBe(true);
    runner.child.kill('SIGKILL');
    await runner.exit;
    const killedAt = Date.now();
    expect(await inEffect()).toBe(true); // nobody reverted it at the kill
    expect(await eventually(async () => !(await inEffect()) && (await ledgerEmpty()), 30_000)).toBe(true);
    expect(Date.now() - killedAt).toBeGreaterThan(200);
    // The guardian exits once nothing is left to expire, releasing its lock.
    expect(await eventually(async () => !(await lockHeld(guardianLockFile(homeLedger().dir))), 15_000)).toBe(true);
  }

  it('reverts process.stop after 3 s when the runner was SIGKILLed, with no recover', async () => {
    const victim = await spawnOrphan();
    await killedMidFault(['process.stop', '-t', `pid=${victim.pid}`], async () => (await stateOf(victim.pid)) === 'T');
    expect(await stateOf(victim.pid)).toMatch(/^[SR]$/);
    expect(readFileSync(join(env.home, 'guardian.log'), 'utf8')).toContain('"event":"reverted"');
  });

  it('reverts a `turbulence run` experiment SIGKILLed during its 3 s fault, with no recover', async () => {
    const victim = await spawnOrphan();
    const file = join(env.home, 'exp.yaml');
    writeFileSync(
      file,
      [
        'title: a pause the runner does not live to revert',
        'description: SIGKILLed mid-fault',
        'method:',
        '  - type: action',
        '    name: pause the victim',
        '    provider:',
        '      type: fault',
        '      kind: process.stop',
        `      target: { pid: ${victim.pid} }`,
        '      duration: 3',
        '    pauses: { after: 30 }',
        '',
      ].join('\n'),
    );
    const runner = cli.start(['run', file]);
    expect(await eventually(async () => (await stateOf(victim.pid)) === 'T', 60_000)).toBe(true);
    runner.child.kill('SIGKILL');
    await runner.exit;
    expect(await stateOf(victim.pid)).toBe('T');
    expect(await eventually(async () => (await stateOf(victim.pid)) !== 'T' && (await ledgerEmpty()), 30_000)).toBe(
      true,
    );
  });

  it('keeps a 30-day fault in effect past its first second (no 24.8-day timer overflow)', async () => {
    const victim = await spawnOrphan();
    const runner = cli.start(['fault', 'inject', 'process.stop', '-t', `pid=${victim.pid}`, '--duration', '2592000']);
    expect(await eventually(async () => (await stateOf(victim.pid)) === 'T', 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stateOf(victim.pid)).toBe('T');
    expect(runner.child.exitCode).toBeNull();
    runner.child.kill('SIGINT');
    expect(await runner.exit).toBe(130); // interrupted, and reverted
    expect(await stateOf(victim.pid)).not.toBe('T');
  });

  it('refuses a second process.stop on a stopped process instead of ending the first one early', async () => {
    const victim = await spawnOrphan();
    const first = cli.start(['fault', 'inject', 'process.stop', '-t', `pid=${victim.pid}`, '--duration', '60s']);
    expect(await eventually(async () => (await stateOf(victim.pid)) === 'T', 60_000)).toBe(true);
    const second = cli.start(['fault', 'inject', 'process.stop', '-t', `pid=${victim.pid}`, '--duration', '2s']);
    expect(await second.exit).not.toBe(0);
    expect(second.out()).toMatch(/cannot coexist with process\.stop process-stop-/);
    expect(await stateOf(victim.pid)).toBe('T');
    first.child.kill('SIGINT');
    await first.exit;
  });

  describe.skipIf(root.skip)('faults that need root', () => {
    it('reverts limit.memory and cgroup.freeze after 3 s when the runner was SIGKILLed', async () => {
      const victim = await spawnOrphan();
      await killedMidFault(['limit.memory', '-t', `pid=${victim.pid}`, '-p', 'max=256MiB'], () =>
        inTurbulenceCgroup(victim.pid),
      );
      await killedMidFault(['cgroup.freeze', '-t', `pid=${victim.pid}`], () => inTurbulenceCgroup(victim.pid));
      expect(await stateOf(victim.pid)).toMatch(/^[SR]$/);
    });

    it('reverts stress.cpu after 3 s when the runner was SIGKILLed', async () => {
      let faultIds: string[] = [];
      await killedMidFault(['stress.cpu', '-t', 'host=true', '-p', 'workers=1', '-p', 'load=10'], async () => {
        const now = await ledgerIds();
        if (now.length > 0) faultIds = now;
        return stressWorkers(faultIds).length > 0;
      });
      expect(stressWorkers(faultIds)).toEqual([]);
    });

    it('runs two stress.cpu faults side by side: the first to expire stops only its own workers', async () => {
      const b = stressCpu('20s');
      expect(await eventually(async () => (await ledgerIds()).length === 1, 60_000)).toBe(true);
      const [bId] = await ledgerIds();
      expect(await eventually(() => stressWorkers([bId!]).length > 0, 30_000)).toBe(true);
      const a = stressCpu('2s');
      expect(await a.exit).toBe(0);
      expect(a.out()).toMatch(/reverted stress-cpu-/);
      expect(stressWorkers([bId!]).length).toBeGreaterThan(0);
      expect(await ledgerIds()).toEqual([bId]);
      b.child.kill('SIGINT');
      expect(await b.exit).toBe(130); // interrupted, and reverted
      expect(stressWorkers([bId!])).toEqual([]);
      expect(await ledgerEmpty()).toBe(true);
    });

    it('refuses a second cgroup fault on a process another cgroup fault holds, naming it', async () => {
      const victim = await spawnOrphan();
      const first = limitMemory(victim.pid, '256MiB', '60s');
      expect(await eventually(() => inTurbulenceCgroup(victim.pid), 60_000)).toBe(true);
      const [firstId] = await ledgerIds();
      const second = limitMemory(victim.pid, '128MiB', '2s');
      expect(await second.exit).not.toBe(0);
      expect(second.out()).toContain(`cannot coexist with limit.memory ${firstId}`);
      expect(cgroupOf(victim.pid)).toContain(`turbulence_${firstId!.replace(/[^A-Za-z0-9_]/g, '_')}`);
      first.child.kill('SIGINT');
      await first.exit;
      expect(inTurbulenceCgroup(victim.pid)).toBe(false);
    });
  });
});
