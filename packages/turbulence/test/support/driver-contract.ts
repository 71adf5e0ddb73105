/**
 * The contract every reversible fault driver passes (style rule 7: shared contract suites). A family's system
 * test calls {@link driverContract} with a way to create a real target and to observe the fault:
 *
 *   inject → verify → in effect → revert → revert again → not in effect, nothing left in the ledger
 *
 * @example
 * driverContract({
 *   kind: 'process.stop',
 *   setup: async () => {
 *     const p = await spawnOrphan();
 *     return { query: { pid: p.pid }, inEffect: async () => (await stateOf(p.pid)) === 'T', cleanup: killOrphans };
 *   },
 * });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import { Rng } from '../../src/core/rng.js';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { getDriver, parseParams } from '../../src/faults/registry.js';

/** One live target for a contract case. */
export interface ContractTarget {
  /** The target query that finds exactly this target. */
  query: JsonObject;
  params?: JsonObject;
  /** Observes the real world: is the fault in effect on the target right now? */
  inEffect: () => Promise<boolean>;
  /** Removes the target (processes, namespaces, tables...). Called even when the test fails. */
  cleanup: () => Promise<void>;
}

/** A driver under contract. */
export interface ContractCase {
  kind: string;
  setup: () => Promise<ContractTarget>;
  /** A reason to skip (missing root, binary...), or false. */
  skip?: string | false;
  /** How long the fault may take to show or go away, ms (default 2000). */
  settleMs?: number;
}

async function settles(check: () => Promise<boolean>, want: boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await check()) === want) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return (await check()) === want;
}

/** Registers the contract tests of one driver. */
export function driverContract(c: ContractCase): void {
  const settle = c.settleMs ?? 2000;
  describe.skipIf(Boolean(c.skip))(`${c.kind} driver contract`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });
    const live = async () => {
      const t = await c.setup();
      cleanups.push(t.cleanup);
      return t;
    };
    const ctx = { rng: new Rng(1), signal: new AbortController().signal };

    it('injects, verifies, and reverts twice, leaving the target as it was', async () => {
      const t = await live();
      const driver = await getDriver(c.kind);
      const params = parseParams(driver, t.params);
      const [target, ...more] = await driver.resolveTargets(t.query, ctx);
      expect(more).toEqual([]);
      expect(await t.inEffect()).toBe(false);
      const state: unknown = await driver.inject(target!, params, ctx);
      const applied = {
        id: 'contract',
        kind: c.kind,
        target: target!,
        params,
        ...(state === undefined ? {} : { state }),
      };
      if (driver.verify) expect(await driver.verify(applied as never, ctx)).toBe(true);
      expect(await settles(t.inEffect, true, settle)).toBe(true);
      await driver.revert(applied as never, ctx);
      await driver.revert(applied as never, ctx);
      expect(await settles(t.inEffect, false, settle)).toBe(true);
    });

    it('reverts safely when inject never ran', async () => {
      const t = await live();
      const driver = await getDriver(c.kind);
      const params = parseParams(driver, t.params);
      const [target] = await driver.resolveTargets(t.query, ctx);
      await driver.revert({ id: 'never-injected', kind: c.kind, target: target!, params } as never, ctx);
      expect(await t.inEffect()).toBe(false);
    });

    it('through the FaultManager: in the ledger while in effect, gone after revert, events emitted', async () => {
      const t = await live();
      const home = mkdtempSync(join(tmpdir(), 'turbulence-contract-'));
      cleanups.push(() => Promise.resolve(rmSync(home, { recursive: true, force: true })));
      const ledger = new Ledger(join(home, 'ledger'));
      const manager = new FaultManager({ rng: new Rng(7), ledger });
      const events: string[] = [];
      manager.on('fault-injected', () => events.push('injected'));
      manager.on('fault-reverted', () => events.push('reverted'));
      const [fault] = await manager.inject(
        { kind: c.kind, target: t.query, params: t.params ?? {} },
        { activity: 'contract' },
      );
      cleanups.push(async () => void (await manager.revertAll()));
      expect((await ledger.list()).entries.map((e) => [e.id, e.status])).toEqual([[fault!.id, 'active']]);
      expect(await settles(t.inEffect, true, settle)).toBe(true);
      await manager.revert(fault!.id);
      await manager.revert(fault!.id);
      expect(await settles(t.inEffect, false, settle)).toBe(true);
      expect((await ledger.list()).entries).toEqual([]);
      expect(manager.active()).toEqual([]);
      expect(events).toEqual(['injected', 'reverted']);
    });
  });
}
