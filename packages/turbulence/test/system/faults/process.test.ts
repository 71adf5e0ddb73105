/**
 * The `process` family against real processes: pause and resume, signals, the guard against PID 1 and
 * turbulence's own tree, and the recycled-pid guard.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/rng.js';
import type { Target } from '../../../src/core/fault.js';
import type { JsonValue } from '../../../src/core/json.js';
import { FaultManager } from '../../../src/faults/manager.js';
import { getDriver } from '../../../src/faults/registry.js';
import { isSameProcess } from '../../../src/os/proc.js';
import { eventually } from '../../support/eventually.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome } from './helpers.js';

const ctx = { rng: new Rng(1), signal: new AbortController().signal };
const fault = (kind: string, target: Target, params: Record<string, unknown> = {}) => ({
  id: 'test',
  kind,
  target,
  params: params as never,
});

describe.skipIf(!hasProc)('process fault drivers', () => {
  let env: ReturnType<typeof tempHome>;
  beforeEach(() => {
    env = tempHome();
  });
  afterEach(async () => {
    await killOrphans();
    env.restore();
  });

  it('finds a process by pid, name, command-line regex and pidfile, with its start time', async () => {
    const o = await spawnOrphan('exec sleep 301.25');
    const stop = await getDriver('process.stop');
    expect(await stop.check!()).toMatchObject({ ok: true });
    const byPid = await stop.resolveTargets({ pid: o.pid }, ctx);
    expect(byPid.map((t) => t.id)).toEqual([`pid:${o.pid}`]);
    expect(byPid[0]!.attributes).toMatchObject({ pid: o.pid, startTime: o.startTime, comm: 'sleep' });
    const byRegex = await stop.resolveTargets({ cmdline: '^sleep 301\\.25$' }, ctx);
    expect(byRegex.map((t) => t.id)).toEqual([`pid:${o.pid}`]);
    const byName = await stop.resolveTargets({ name: 'sleep', cmdline: 'sleep 301\\.25$' }, ctx);
    expect(byName.map((t) => t.id)).toEqual([`pid:${o.pid}`]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${env.home}/svc.pid`, `${o.pid}\n`);
    expect((await stop.resolveTargets({ pidfile: `${env.home}/svc.pid` }, ctx)).map((t) => t.id)).toEqual([
      `pid:${o.pid}`,
    ]);
  });

  it('pauses a process with process.stop (state T) and resumes it on revert, twice safely', async () => {
    const o = await spawnOrphan();
    const stop = await getDriver('process.stop');
    const [target] = await stop.resolveTargets({ pid: o.pid }, ctx);
    await stop.inject(target!, {}, ctx);
    expect(await stop.verify!(fault('process.stop', target!), ctx)).toBe(true);
    expect(await stateOf(o.pid)).toBe('T');
    await stop.revert(fault('process.stop', target!), ctx);
    await stop.revert(fault('process.stop', target!), ctx);
    expect(await eventually(async () => (await stateOf(o.pid)) === 'S')).toBe(true);
  });

  it('resumes a stopped process with process.cont', async () => {
    const o = await spawnOrphan();
    process.kill(o.pid, 'SIGSTOP');
    expect(await eventually(async () => (await stateOf(o.pid)) === 'T')).toBe(true);
    const cont = await getDriver('process.cont');
    const [target] = await cont.resolveTargets({ pid: o.pid }, ctx);
    await cont.inject(target!, {}, ctx);
    expect(await eventually(async () => (await stateOf(o.pid)) === 'S')).toBe(true);
  });

  it('kills with SIGTERM when asked, and with SIGKILL by default', async () => {
    const kill = await getDriver('process.kill');
    const term = await spawnOrphan();
    const [t1] = await kill.resolveTargets({ pid: term.pid }, ctx);
    await kill.inject(t1!, { signal: 'SIGTERM', restart: false }, ctx);
    expect(await eventually(async () => !(await isSameProcess(term.pid, term.startTime)))).toBe(true);

    // This one ignores SIGTERM, so only the default SIGKILL ends it.
    const stubborn = await spawnOrphan(`trap '' TERM; while :; do sleep 0.2; done`);
    const [t2] = await kill.resolveTargets({ pid: stubborn.pid }, ctx);
    const params = kill.params.parse({});
    expect(params).toEqual({ signal: 'SIGKILL', restart: false });
    await kill.inject(t2!, params, ctx);
    expect(await kill.verify!(fault('process.kill', t2!, params), ctx)).toBe(true);
  });

  it('refuses PID 1, itself, its parent and its own children', async () => {
    // The guard lives in the fault manager (targets/guard.ts), once for every family; a dry run resolves, guards
    // and selects without injecting.
    const manager = new FaultManager({ rng: new Rng(1), dryRun: true });
    const resolve = async (target: Record<string, JsonValue>) =>
      (await manager.inject({ kind: 'process.kill', target }, { activity: 'guard' })).map((f) => f.target.id);
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      for (const pid of [1, process.pid, process.ppid, child.pid!]) {
        await expect(resolve({ pid })).rejects.toMatchObject({ code: ErrorCodes.TARGET_REFUSED });
      }
      // A name query that matches only protected processes is refused too...
      await expect(resolve({ pid: child.pid!, name: 'sleep' })).rejects.toMatchObject({
        code: ErrorCodes.TARGET_REFUSED,
      });
      // ...and one that matches others as well skips the protected ones.
      const o = await spawnOrphan();
      const ids = await resolve({ name: 'sleep' });
      expect(ids).toContain(`pid:${o.pid}`);
      expect(ids).not.toContain(`pid:${child.pid}`);
      // An empty query is refused before anything is resolved.
      await expect(resolve({})).rejects.toMatchObject({ code: ErrorCodes.FAULT_INVALID_PARAMS });
    } finally {
      child.kill('SIGKILL');
      manager.dispose();
    }
  });

  it('never signals a recycled pid: a target whose start time differs is left alone', async () => {
    const o = await spawnOrphan();
    process.kill(o.pid, 'SIGSTOP');
    expect(await eventually(async () => (await stateOf(o.pid)) === 'T')).toBe(true);
    const stop = await getDriver('process.stop');
    const [target] = await stop.resolveTargets({ pid: o.pid }, ctx);
    const recycled: Target = {
      ...target!,
      attributes: { ...target!.attributes, startTime: String(Number(o.startTime) + 1) },
    };
    await stop.revert(fault('process.stop', recycled), ctx); // would SIGCONT the pid if it did not check
    await new Promise((r) => setTimeout(r, 100));
    expect(await stateOf(o.pid)).toBe('T');
    await expect(stop.inject(recycled, {}, ctx)).rejects.toMatchObject({ code: ErrorCodes.FAULT_INJECT_FAILED });
  });

  it('rejects an unknown signal and an empty target query with clear errors', async () => {
    const kill = await getDriver('process.kill');
    expect(kill.params.safeParse({ signal: 'SIGNOPE' }).success).toBe(false);
    expect(kill.params.parse({ signal: 'term' })).toMatchObject({ signal: 'SIGTERM' });
    expect(kill.params.parse({ signal: 9 })).toMatchObject({ signal: 'SIGKILL' });
    await expect(kill.resolveTargets({}, ctx)).rejects.toMatchObject({ code: ErrorCodes.FAULT_INVALID_PARAMS });
    await expect(kill.resolveTargets({ cmdline: '(' }, ctx)).rejects.toMatchObject({
      code: ErrorCodes.FAULT_INVALID_PARAMS,
    });
  });
});
