/**
 * The FaultManager against real processes: reproducible selection, the ledger around each fault, expiry,
 * blast-radius refusals, all-or-nothing injection, idempotent revert, revertAll and timers.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/rng.js';
import type { LedgerListing } from '../../../src/faults/ledger.js';
import { Ledger } from '../../../src/faults/ledger.js';
import { FaultManager } from '../../../src/faults/manager.js';
import { getDriver } from '../../../src/faults/registry.js';
import { eventually } from '../../support/eventually.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome } from './helpers.js';
import type { Orphan } from './helpers.js';

describe.skipIf(!hasProc)('FaultManager', () => {
  let env: ReturnType<typeof tempHome>;
  let ledger: Ledger;
  const managers: FaultManager[] = [];
  const make = (options: Partial<ConstructorParameters<typeof FaultManager>[0]> = {}) => {
    const m = new FaultManager({ rng: new Rng(42), ledger, ...options });
    managers.push(m);
    return m;
  };
  const tag = `tb${process.pid}`;
  const sleepers = async (n: number): Promise<Orphan[]> => {
    const out: Orphan[] = [];
    for (let i = 0; i < n; i++) out.push(await spawnOrphan(`exec sleep 30${i}.${tag.length}${i}`));
    return out;
  };
  const query = { cmdline: `^sleep 30\\d\\.${tag.length}\\d$` };

  beforeEach(() => {
    env = tempHome();
    ledger = new Ledger(`${env.home}/ledger`);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const m of managers.splice(0)) {
      await m.revertAll();
      m.dispose();
    }
    await killOrphans();
    env.restore();
  });

  it('chooses the same targets for the same seed, and different ones across seeds', async () => {
    await sleepers(5);
    const pick = async (seed: number) => {
      const faults = await make({ rng: new Rng(seed), dryRun: true }).inject(
        { kind: 'process.stop', target: query, select: { mode: 'count', value: 2 } },
        { activity: 'pick' },
      );
      return faults.map((f) => f.target.id).join(',');
    };
    expect(await pick(7)).toBe(await pick(7));
    const seen = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) seen.add(await pick(seed));
    expect(seen.size).toBeGreaterThan(1);
    expect((await ledger.list()).entries).toEqual([]); // a dry run records nothing
  });

  it('records the fault in the ledger before it takes effect, and removes it after revert', async () => {
    const [p] = await sleepers(1);
    const driver = await getDriver('process.stop');
    const original = driver.inject.bind(driver);
    let atInject: { listing: LedgerListing; state: string | undefined } | undefined;
    vi.spyOn(driver, 'inject').mockImplementation(async (...args) => {
      atInject = { listing: await ledger.list(), state: await stateOf(p!.pid) };
      return original(...args);
    });
    const m = make({ runId: 'run-1' });
    const [fault] = await m.inject({ kind: 'process.stop', target: { pid: p!.pid } }, { activity: 'pause' });
    expect(atInject?.state).not.toBe('T');
    expect(atInject?.listing.entries.map((e) => [e.id, e.status])).toEqual([[fault!.id, 'injecting']]);
    const entry = await ledger.get(fault!.id);
    expect(entry).toMatchObject({
      kind: 'process.stop',
      status: 'active',
      target: { attributes: { pid: p!.pid, startTime: p!.startTime } },
      owner: { pid: process.pid, runId: 'run-1', activity: 'pause' },
    });
    expect(await stateOf(p!.pid)).toBe('T');
    await m.revert(fault!.id);
    expect(await ledger.get(fault!.id)).toBeUndefined();
    expect(await eventually(async () => (await stateOf(p!.pid)) !== 'T')).toBe(true);
  });

  it('reverts a fault by itself when its duration elapses', async () => {
    const [p] = await sleepers(1);
    const m = make();
    const events: string[] = [];
    m.on('fault-expired', () => events.push('expired'));
    m.on('fault-reverted', (f) => events.push(`reverted:${f.reason}`));
    const started = Date.now();
    const [fault] = await m.inject(
      { kind: 'process.stop', target: { pid: p!.pid }, durationMs: 300 },
      { activity: 'x' },
    );
    expect(fault!.expiresAt).toBeGreaterThan(started);
    expect(await stateOf(p!.pid)).toBe('T');
    expect(await eventually(async () => (await stateOf(p!.pid)) !== 'T', 3000)).toBe(true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2500);
    expect(await eventually(() => events.length === 2)).toBe(true);
    expect(events).toEqual(['expired', 'reverted:expired']);
    expect((await ledger.list()).entries).toEqual([]);
  });

  it('refuses faults outside the blast radius, saying which bound and by how much, before touching anything', async () => {
    const ps = await sleepers(3);
    const m = make({ blastRadius: { maxTargets: 2, maxConcurrentFaults: 2, maxTotalFaultTimeMs: 10_000 } });
    await expect(m.inject({ kind: 'process.stop', target: query }, { activity: 'a' })).rejects.toMatchObject({
      code: ErrorCodes.BLAST_RADIUS,
      message: expect.stringMatching(/max targets is 2 \(1 over\)/),
    });
    await expect(
      m.inject({ kind: 'process.stop', target: { pid: ps[0]!.pid }, durationMs: 11_000 }, { activity: 'b' }),
    ).rejects.toMatchObject({ code: ErrorCodes.BLAST_RADIUS, message: expect.stringMatching(/1\.00s over/) });
    for (const p of ps) expect(await stateOf(p.pid)).not.toBe('T');
    expect((await ledger.list()).entries).toEqual([]);

    await m.inject({ kind: 'process.stop', target: { pid: ps[0]!.pid }, durationMs: 4000 }, { activity: 'c' });
    await m.inject({ kind: 'process.stop', target: { pid: ps[1]!.pid }, durationMs: 4000 }, { activity: 'd' });
    await expect(
      m.inject({ kind: 'process.stop', target: { pid: ps[2]!.pid } }, { activity: 'e' }),
    ).rejects.toMatchObject({
      code: ErrorCodes.BLAST_RADIUS,
      message: expect.stringMatching(/max concurrent faults is 2 \(1 over\)/),
    });
    expect(await stateOf(ps[2]!.pid)).not.toBe('T');
  });

  it('caps a fault without duration at the remaining total fault time', async () => {
    const [p] = await sleepers(1);
    const m = make({ blastRadius: { maxTotalFaultTimeMs: 400 } });
    const durations: (number | undefined)[] = [];
    m.on('fault-injected', (f) => durations.push(f.durationMs));
    const [fault] = await m.inject({ kind: 'process.stop', target: { pid: p!.pid } }, { activity: 'x' });
    expect(durations).toEqual([400]);
    expect(await eventually(async () => (await stateOf(p!.pid)) !== 'T', 3000)).toBe(true);
    // The process resumes a moment before the ledger entry is removed (SIGCONT comes first).
    expect(await eventually(async () => (await ledger.get(fault!.id)) === undefined)).toBe(true);
  });

  it('is all or nothing: when one target fails, the ones already injected are reverted', async () => {
    const ps = await sleepers(2);
    const driver = await getDriver('process.stop');
    const original = driver.inject.bind(driver);
    let calls = 0;
    vi.spyOn(driver, 'inject').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('second target broke');
      return original(...args);
    });
    const m = make();
    const failed: string[] = [];
    m.on('fault-failed', (f) => failed.push(f.phase));
    await expect(m.inject({ kind: 'process.stop', target: query }, { activity: 'x' })).rejects.toMatchObject({
      code: ErrorCodes.FAULT_INJECT_FAILED,
    });
    expect(failed).toEqual(['inject']);
    for (const p of ps) expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
    expect((await ledger.list()).entries).toEqual([]);
    expect(m.active()).toEqual([]);
  });

  it('reverts a fault that verify says is not in effect, and fails the injection', async () => {
    const [p] = await sleepers(1);
    const driver = await getDriver('process.stop');
    vi.spyOn(driver, 'verify').mockResolvedValue(false);
    const m = make();
    await expect(m.inject({ kind: 'process.stop', target: { pid: p!.pid } }, { activity: 'x' })).rejects.toMatchObject({
      code: ErrorCodes.FAULT_INJECT_FAILED,
      message: expect.stringMatching(/not in effect/),
    });
    expect(await eventually(async () => (await stateOf(p!.pid)) !== 'T')).toBe(true);
    expect((await ledger.list()).entries).toEqual([]);
  });

  it('reverts idempotently, also when two reverts race', async () => {
    const [p] = await sleepers(1);
    const m = make();
    const reverted: string[] = [];
    m.on('fault-reverted', (f) => reverted.push(f.id));
    const [fault] = await m.inject({ kind: 'process.stop', target: { pid: p!.pid } }, { activity: 'x' });
    await Promise.all([m.revert(fault!.id), m.revert(fault!.id)]);
    await m.revert(fault!.id);
    await m.revert('never-existed');
    expect(reverted).toEqual([fault!.id]);
  });

  it('revertAll goes in reverse order, keeps going past a failure, and reports it; no timer is left', async () => {
    const ps = await sleepers(3);
    const m = make();
    const timers: unknown[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
      const handle = realSetTimeout(fn, ms);
      // The expiry timer is armed with what is left of the duration, a few ms under it on a loaded machine.
      if ((ms ?? 0) >= 59_000) timers.push(handle);
      return handle;
    });
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    const ids: string[] = [];
    for (const [i, p] of ps.entries()) {
      const spec = { kind: 'process.stop', target: { pid: p.pid }, durationMs: 60_000 + i };
      const [f] = await m.inject(spec, { activity: 'x' });
      ids.push(f!.id);
    }
    expect(timers).toHaveLength(3);
    const driver = await getDriver('process.stop');
    const original = driver.revert.bind(driver);
    const order: string[] = [];
    vi.spyOn(driver, 'revert').mockImplementation(async (fault, ctx) => {
      order.push(fault.id);
      if (fault.id === ids[1]) throw new Error('cannot resume');
      return original(fault, ctx);
    });
    const failures = await m.revertAll('rollback');
    expect(order).toEqual([...ids].reverse());
    expect(failures.map((f) => [f.id, f.error.code])).toEqual([[ids[1], ErrorCodes.FAULT_REVERT_FAILED]]);
    expect((await ledger.list()).entries.map((e) => [e.id, e.status])).toEqual([[ids[1], 'reverting']]);
    for (const t of timers) expect(cleared).toHaveBeenCalledWith(t);
    vi.restoreAllMocks();
    expect(await m.revertAll()).toEqual([]);
    for (const p of ps) expect(await eventually(async () => (await stateOf(p.pid)) !== 'T')).toBe(true);
  });

  it('refuses to inject once the run is interrupted, and refuses a query that matches nothing', async () => {
    const ac = new AbortController();
    const m = make({ signal: ac.signal });
    await expect(
      m.inject({ kind: 'process.stop', target: { name: 'no-such-proc-x' } }, { activity: 'x' }),
    ).rejects.toMatchObject({
      code: ErrorCodes.TARGET_REFUSED,
    });
    ac.abort();
    await expect(m.inject({ kind: 'process.stop', target: { pid: 1 } }, { activity: 'x' })).rejects.toMatchObject({
      code: ErrorCodes.INTERRUPTED,
    });
  });

  it('does not inject when the ledger cannot be written', async () => {
    const [p] = await sleepers(1);
    writeFileSync(`${env.home}/not-a-dir`, '');
    const m = make({ ledger: new Ledger(`${env.home}/not-a-dir/ledger`) });
    await expect(m.inject({ kind: 'process.stop', target: { pid: p!.pid } }, { activity: 'x' })).rejects.toMatchObject({
      code: ErrorCodes.LEDGER,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await stateOf(p!.pid)).not.toBe('T');
    expect(m.active()).toEqual([]);
  });
});
