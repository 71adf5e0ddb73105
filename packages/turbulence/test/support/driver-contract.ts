/**
 * The contract every fault driver passes (style rule 7: shared contract suites). Each registered kind has at least
 * one {@link driverContract} call (the meta-test `test/contracts.test.ts` fails otherwise), with a way to create a
 * real target and to observe the fault from OUTSIDE turbulence (the process state in /proc, the kernel's nft tables
 * or cgroup files, answers of a real server), never from the driver's own bookkeeping. Behaviours:
 *
 *   inject            inject → verify → effect observed
 *   revert            (in the same test) revert → revert again → no effect, nothing of turbulence left in the
 *                     case's scope ({@link ContractTarget.leftovers})
 *   revert-uninjected revert of a fault that was never injected is harmless
 *   manager           through the FaultManager: in the ledger while in effect, gone after revert, events emitted
 *   crash-recover     a real runner process injects through the FaultManager and ledger, is SIGKILLed (the fault
 *                     outlives it), `turbulence recover` (the real CLI) reverts it: no effect, nothing left
 *
 * {@link crashRecoverTogether} runs the crash-recover behaviour of several cases at once: one runner injects every
 * case's fault, one SIGKILL, one `recover`, each case checked on its own (for families whose cases are many and
 * independent, e.g. one container each). Those cases skip their own crash-recover, naming the shared test.
 *
 * A case skips a behaviour only with a stated reason (`skip: { 'crash-recover': 'irreversible: ...' }`).
 * Prerequisites go through `requireSystem`, which fails instead of skipping when `CI=true`.
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
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import { Rng } from '../../src/core/rng.js';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { ledgerDir } from '../../src/os/home.js';
import { getDriver, parseParams } from '../../src/faults/registry.js';
import { CLI_COMMAND_MS, cliTimeout, runCli } from './cli.js';
import { settles } from './eventually.js';
import { requireSystem, type Requirement } from './system.js';

/** One live target for a contract case. */
export interface ContractTarget {
  /** The target query that finds exactly this target. */
  query: JsonObject;
  params?: JsonObject;
  /** Observes the real world: is the fault in effect on the target right now? */
  inEffect: () => Promise<boolean>;
  /**
   * Every turbulence-owned object left in this case's scope (nft tables named `turbulence*` in its namespaces,
   * cgroups named `turbulence*` under its parent, qdiscs, tagged stress processes, files): one line each.
   * Matched by prefix, not by the name a driver derives, so renaming kernel objects keeps the check honest.
   */
  leftovers?: () => Promise<string[]>;
  /** Removes the target (processes, namespaces, tables...). Called even when the test fails. */
  cleanup: () => Promise<void>;
}

/** The behaviours of the contract (see the module comment). */
export type Behaviour = 'inject' | 'revert' | 'revert-uninjected' | 'manager' | 'crash-recover';

/** A driver under contract. */
export interface ContractCase {
  kind: string;
  /** Tells two cases of one kind apart (`failpoint.set` by name and by rule). */
  variant?: string;
  setup: () => Promise<ContractTarget>;
  /** Prerequisites (root, nft, stress-ng...): skipped with the reason when missing, a failure when `CI=true`. */
  needs?: Requirement[];
  /** A reason to skip the whole case, or false. Prefer `needs` (it fails in CI). */
  skip?: string | false;
  /** Behaviours this kind cannot pass, each with the reason (e.g. `revert: 'irreversible: ...'`). */
  skipBehaviours?: Partial<Record<Behaviour, string>>;
  /** How long the fault may take to show or go away, ms (default 3000). */
  settleMs?: number;
}

/** A fault context for direct driver calls. */
const ctx = () => ({ rng: new Rng(1), signal: new AbortController().signal });

const RUNNER = join(import.meta.dirname, 'fault-runner.ts');

/** Starts the crashing runner; resolves with it once it printed `injected`. */
function startRunner(spec: JsonObject | JsonObject[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify(spec)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const injected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner never injected: ${err}`)), 4 * CLI_COMMAND_MS);
    child.stdout.on('data', () => {
      if (!out.includes('injected ')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`runner exited ${code}: ${err}`));
    });
  });
  return { child, injected, exited };
}

/** Registers the contract tests of one driver. */
export function driverContract(c: ContractCase): void {
  const settle = c.settleMs ?? 3000;
  const sys = requireSystem(...(c.needs ?? []));
  const skip = c.skip || (sys.skip ? sys.reason : false);
  const skipped = c.skipBehaviours ?? {};
  const title = `${c.kind}${c.variant ? ` (${c.variant})` : ''} driver contract`;
  describe.skipIf(Boolean(skip))(title, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });
    const live = async () => {
      const t = await c.setup();
      cleanups.push(t.cleanup);
      return t;
    };
    const nothingLeft = async (t: ContractTarget) => expect(t.leftovers ? await t.leftovers() : []).toEqual([]);
    const behaviour = (b: Behaviour, name: string, fn: () => Promise<void>, timeout?: number) =>
      skipped[b] ? it.skip(`${name} — skipped: ${skipped[b]}`, fn) : it(name, { timeout }, fn);

    const injectTitle = skipped.revert
      ? 'injects and the effect shows from outside'
      : 'injects, the effect shows from outside; reverted twice it is gone and nothing of turbulence is left';
    behaviour('inject', injectTitle, async () => {
      const t = await live();
      const driver = await getDriver(c.kind);
      const params = parseParams(driver, t.params);
      const [target, ...more] = await driver.resolveTargets(t.query, ctx());
      expect(more).toEqual([]);
      expect(await t.inEffect()).toBe(false);
      const state: unknown = await driver.inject(target!, params, ctx());
      const applied = {
        id: 'contract',
        kind: c.kind,
        target: target!,
        params,
        ...(state === undefined ? {} : { state }),
      };
      if (!skipped.revert) cleanups.push(async () => void (await driver.revert(applied as never, ctx())));
      if (driver.verify) expect(await driver.verify(applied as never, ctx())).toBe(true);
      expect(await settles(t.inEffect, true, settle)).toBe(true);
      if (skipped.revert) return;
      await driver.revert(applied as never, ctx());
      await driver.revert(applied as never, ctx());
      expect(await settles(t.inEffect, false, settle)).toBe(true);
      await nothingLeft(t);
    });
    if (skipped.revert) it.skip(`revert — skipped: ${skipped.revert}`, () => undefined);

    behaviour('revert-uninjected', 'reverts safely when inject never ran', async () => {
      const t = await live();
      const driver = await getDriver(c.kind);
      const params = parseParams(driver, t.params);
      const [target] = await driver.resolveTargets(t.query, ctx());
      await driver.revert({ id: 'never-injected', kind: c.kind, target: target!, params } as never, ctx());
      expect(await t.inEffect()).toBe(false);
      await nothingLeft(t);
    });

    behaviour('manager', 'through the FaultManager: in the ledger while in effect, gone after revert', async () => {
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
      await nothingLeft(t);
    });

    behaviour(
      'crash-recover',
      'a SIGKILLed runner leaves the fault in effect; `turbulence recover` removes it and leaves nothing',
      async () => {
        const t = await live();
        // Lab targets are found through the lab's state in TURBULENCE_HOME; otherwise a home of this test alone.
        let home = process.env.TURBULENCE_HOME;
        if (!home) {
          const own = mkdtempSync(join(tmpdir(), 'turbulence-contract-'));
          cleanups.push(() => Promise.resolve(rmSync(own, { recursive: true, force: true })));
          home = own;
        }
        const env = { ...process.env, TURBULENCE_HOME: home };
        const runner = startRunner({ kind: c.kind, target: t.query, params: t.params ?? {} }, env);
        let recovered = false;
        cleanups.push(async () => {
          if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill('SIGKILL');
          await runner.exited;
          if (!recovered) await runCli(['recover'], { env }); // whatever a failed assertion left behind
        });
        await runner.injected;
        const pid = runner.child.pid;
        expect(await settles(t.inEffect, true, settle)).toBe(true);
        runner.child.kill('SIGKILL');
        await runner.exited;
        expect(await t.inEffect()).toBe(true); // the fault outlives its runner
        const recover = await runCli(['recover'], { env });
        recovered = recover.code === 0;
        expect(recover.stderr).toBe('');
        expect(recover.code).toBe(0);
        expect(await settles(t.inEffect, false, settle)).toBe(true);
        const ledger = await new Ledger(ledgerDir(home)).list();
        expect(ledger.entries.filter((e) => e.owner.pid === pid)).toEqual([]);
        await nothingLeft(t);
      },
      cliTimeout(2, settle * 2),
    );
  });
}

/**
 * The crash-recover behaviour of several cases at once, each on its own target: ONE runner injects every case's
 * fault through the FaultManager and ledger, is SIGKILLed (every fault outlives it), ONE `turbulence recover`
 * reverts them all; then each case must show no effect and nothing left, and the ledger holds nothing of the
 * runner. Cases that use it pass `skipBehaviours: { 'crash-recover': CRASH_TOGETHER }` to their own contract.
 *
 * @example
 * crashRecoverTogether('container kinds', [pauseCase, partitionCase], ['root', 'dockerd']);
 */
export function crashRecoverTogether(title: string, cases: readonly ContractCase[], needs: Requirement[] = []): void {
  const sys = requireSystem(...needs);
  const settle = Math.max(...cases.map((c) => c.settleMs ?? 3000));
  describe.skipIf(sys.skip)(`${title}: crash-recover of ${cases.length} kinds in one runner`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });
    it(
      'a SIGKILLed runner leaves every fault in effect; one `turbulence recover` removes them all and leaves nothing',
      { timeout: cliTimeout(2, settle * 2 + cases.length * 3000) },
      async () => {
        const targets = await Promise.all(cases.map((c) => c.setup()));
        for (const t of targets) cleanups.push(t.cleanup);
        const home = mkdtempSync(join(tmpdir(), 'turbulence-contract-'));
        cleanups.push(() => Promise.resolve(rmSync(home, { recursive: true, force: true })));
        const env = { ...process.env, TURBULENCE_HOME: home };
        const specs = cases.map((c, i) => ({
          kind: c.kind,
          target: targets[i]!.query,
          params: targets[i]!.params ?? {},
        }));
        const runner = startRunner(specs, env);
        let recovered = false;
        cleanups.push(async () => {
          if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill('SIGKILL');
          await runner.exited;
          if (!recovered) await runCli(['recover'], { env });
        });
        await runner.injected;
        const pid = runner.child.pid;
        const inEffect = async () => Promise.all(targets.map((t) => t.inEffect()));
        const all = (want: boolean) => async () => (await inEffect()).every((v) => v === want);
        expect(await settles(all(true), true, settle)).toBe(true);
        runner.child.kill('SIGKILL');
        await runner.exited;
        expect(await inEffect()).toEqual(targets.map(() => true)); // every fault outlives its runner
        const recover = await runCli(['recover'], { env });
        recovered = recover.code === 0;
        expect(recover.stderr).toBe('');
        expect(recover.code).toBe(0);
        await settles(all(false), true, settle);
        const still = (await inEffect()).flatMap((v, i) => (v ? [cases[i]!.kind] : []));
        expect(still).toEqual([]);
        const ledger = await new Ledger(ledgerDir(home)).list();
        expect(ledger.entries.filter((e) => e.owner.pid === pid)).toEqual([]);
        const left = await Promise.all(targets.map(async (t) => (t.leftovers ? await t.leftovers() : [])));
        expect(left.flat()).toEqual([]);
      },
    );
  });
}

/** The reason a case gives for skipping its own crash-recover when {@link crashRecoverTogether} covers it. */
export const CRASH_TOGETHER = 'runs with the other cases of this file in one runner (crashRecoverTogether)';
