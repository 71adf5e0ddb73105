/**
 * `turbulence fault` and `turbulence recover` as a user runs them: a foreground fault that reverts on its
 * duration and on Ctrl-C, and a CLI SIGKILLed mid-fault whose fault `recover` puts back.
 */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/faults/ledger.js';
import { cliProcesses, cliTimeout, runCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { freshHomeEachTest, hasProc, spawnOrphan, stateOf } from './helpers.js';

// Each CLI start loads the TypeScript sources through tsx: seconds each on a busy two-core machine (up to 5 per test).
describe.skipIf(!hasProc)('turbulence fault / recover (CLI)', { timeout: cliTimeout(5) }, () => {
  const cli = cliProcesses();
  const env = freshHomeEachTest({ cli });
  const start = (args: string[]) => cli.start(args);
  const run = (args: string[]) => runCli(args);

  it('keeps a fault for its duration in the foreground, then reverts it and exits 0', async () => {
    const p = await spawnOrphan();
    const started = Date.now();
    const r = await run(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`, '--duration', '1500ms']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(r.stdout).toMatch(/injected process\.stop on sleep 300 \(pid \d+\)\s+id process-stop-/);
    expect(r.stdout).toMatch(/reverted process-stop-\S+ \(expired\)/);
    expect(await stateOf(p.pid)).not.toBe('T');
    expect((await new Ledger(`${env.home}/ledger`).list()).entries).toEqual([]);
  });

  it('reverts at once on Ctrl-C and exits 130', async () => {
    const p = await spawnOrphan();
    const r = start(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`]);
    expect(await eventually(() => r.stdout().includes('in effect until Ctrl-C'), 15_000)).toBe(true);
    expect(await stateOf(p.pid)).toBe('T');
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(130);
    expect(await stateOf(p.pid)).not.toBe('T');
    expect((await new Ledger(`${env.home}/ledger`).list()).entries).toEqual([]);
  });

  it('leaves the fault in the ledger when SIGKILLed mid-fault, and `recover` resumes the process', async () => {
    const p = await spawnOrphan();
    const r = start(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`, '--duration', '30s']);
    expect(await eventually(() => r.stdout().includes('in effect for'), 15_000)).toBe(true);
    const ledger = new Ledger(`${env.home}/ledger`);
    const before = (await ledger.list()).entries;
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ kind: 'process.stop', status: 'active', owner: { pid: r.child.pid } });

    // While the owner lives, recover keeps its fault.
    const early = await run(['recover']);
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/kept .*still running/);
    expect(await stateOf(p.pid)).toBe('T');

    r.child.kill('SIGKILL');
    await r.exit;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stateOf(p.pid)).toBe('T'); // nobody reverted it
    expect((await ledger.list()).entries.map((e) => e.id)).toEqual([before[0]!.id]);

    const listed = await run(['fault', 'list']);
    expect(listed.stdout).toMatch(/owner gone/);

    const rec = await run(['recover']);
    expect(rec.stderr).toBe('');
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/recover: 1 reverted, 0 failed, 0 kept/);
    expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
    expect((await ledger.list()).entries).toEqual([]);
  });

  it('detaches a fault, which recover keeps and `fault revert ID` reverts', async () => {
    const p = await spawnOrphan();
    const d = await run(['fault', 'inject', 'process.stop', '--target', `pid=${p.pid}`, '--detach', '--seed', '1']);
    expect(d.code).toBe(0);
    const id = /id (process-stop-\S+)/.exec(d.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await stateOf(p.pid)).toBe('T');
    const kept = await run(['recover']);
    expect(kept.stdout).toMatch(/kept .*detached/);
    const rev = await run(['fault', 'revert', id!]);
    expect(rev.code).toBe(0);
    expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
    expect((await run(['fault', 'list', '--json'])).stdout).toMatch(/"entries": \[\]/);
  });

  it('explains bad input with exit code 2 and touches nothing', async () => {
    const p = await spawnOrphan();
    const bad = await run(['fault', 'inject', 'process.kill', '--target', `pid=${p.pid}`, '--param', 'signal=NOPE']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/params\.signal/);
    expect(await stateOf(p.pid)).toBeDefined();
  });
});
