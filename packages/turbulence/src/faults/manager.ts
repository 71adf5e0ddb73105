/**
 * @module The fault manager: one per run. It owns every fault the run injects and puts each back.
 *
 *   inject(spec) → driver.resolveTargets → guard (targets/guard.ts) → select (run's Rng, by id) → blast radius
 *               → per target: ledger.record → driver.inject → ledger.update(state) → verify → timer(duration)
 *   revert(id) / revertAll() / timer → ledger status reverting → driver.revert → ledger.remove
 *
 * An injection is all or nothing: when one target fails, the targets already injected are reverted.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../core/errors.js';
import type { AppliedFault, FaultContext, FaultSpec, Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import type { Rng } from '../core/rng.js';
import { redactArgv } from '../core/argv.js';
import { setLongTimeout } from '../core/long-timer.js';
import type { LongTimer } from '../core/long-timer.js';
import { select } from '../core/selector.js';
import type { FaultInjector, InjectedFault } from '../core/fault.js';
import { checkBlastRadius } from './blast-radius.js';
import { ensureGuardian } from './guardian/spawn.js';
import { Ledger, newFaultId } from './ledger.js';
import { recoverLedger } from './recover.js';
import type { RecoverOptions, RecoverReport } from './recover.js';
import { ledgerDir, turbulenceHome } from '../os/home.js';
import type { LedgerEntry, LedgerOwner } from './ledger.js';
import { startTimeOfSync } from '../os/proc.js';
import { getDriver, parseParams } from './registry.js';
import { assertQueryNotEmpty, guardTargets } from '../targets/guard.js';
import type { AnyDriver } from './registry.js';
import { announceFaultEvents } from './events.js';
import type { ActiveFault, FaultManagerEvents, FaultManagerOptions, RevertFailure } from './manager-types.js';

export type { ActiveFault, FaultManagerEvents, FaultManagerOptions, RevertFailure } from './manager-types.js';

interface Tracked extends ActiveFault {
  driver: AnyDriver;
  timer?: LongTimer;
}

/**
 * Injects faults for one run and reverts them.
 *
 * @example
 * const faults = new FaultManager({ rng: new Rng(42), blastRadius: { maxTargets: 1 } });
 * faults.on('fault-injected', (f) => console.log('injected', f.id));
 * await faults.inject({ kind: 'process.stop', target: { managed: 'web-1' }, durationMs: 5000 }, { activity: 'pause web-1' });
 * await faults.revertAll();
 */
export class FaultManager extends EventEmitter<FaultManagerEvents> implements FaultInjector {
  readonly ledger: Ledger;
  private readonly rng: Rng;
  private readonly options: FaultManagerOptions;
  private readonly faults = new Map<string, Tracked>();
  private readonly reverting = new Map<string, Promise<void>>();
  private queue: Promise<unknown> = Promise.resolve();
  private usedMs = 0;

  constructor(options: FaultManagerOptions) {
    super();
    this.options = options;
    this.rng = options.rng.fork('faults');
    this.ledger = options.ledger ?? new Ledger(ledgerDir(options.home ?? turbulenceHome()));
    announceFaultEvents(this, options.runId);
  }

  /** Resolves targets, selects, checks the blast radius, records in the ledger and injects. All or nothing. */
  inject(spec: FaultSpec, owner: { activity: string }): Promise<InjectedFault[]> {
    const run = this.queue.then(() => this.injectNow(spec, owner));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Faults in effect, in injection order. */
  active(): ActiveFault[] {
    return [...this.faults.values()].map(publicView);
  }

  /** Reverts one fault. Idempotent: an unknown or already reverted id is a no-op. */
  revert(id: string, reason = 'reverted'): Promise<void> {
    const pending = this.reverting.get(id);
    if (pending) return pending;
    const fault = this.faults.get(id);
    if (!fault) return Promise.resolve();
    const run = this.revertNow(fault, reason).finally(() => this.reverting.delete(id));
    this.reverting.set(id, run);
    return run;
  }

  /** Reverts every fault in reverse injection order, going on past failures; returns the failures. */
  async revertAll(reason = 'revert-all'): Promise<RevertFailure[]> {
    await this.queue;
    const failures: RevertFailure[] = [];
    for (const fault of [...this.faults.values()].reverse()) {
      try {
        await this.revert(fault.id, reason);
      } catch (err) {
        failures.push({
          id: fault.id,
          kind: fault.kind,
          target: fault.target,
          error: asError(err, ErrorCodes.FAULT_REVERT_FAILED),
        });
      }
    }
    for (const fault of this.faults.values()) fault.timer?.clear();
    return failures;
  }

  /**
   * Leaves the faults in effect and in the ledger (marked detached) and forgets them here: no timers remain.
   * `turbulence fault revert` or `recover` reverts them later (recover reverts detached faults once expired).
   */
  async detach(): Promise<ActiveFault[]> {
    await this.queue;
    const out: ActiveFault[] = [];
    for (const fault of this.faults.values()) {
      fault.timer?.clear();
      await fault.driver.detach?.(applied(fault), this.context(undefined, fault.id));
      await this.ledger.update(fault.id, { detached: true });
      out.push(publicView(fault));
    }
    this.faults.clear();
    return out;
  }

  /**
   * Reverts what crashed runs left in the ledger (see {@link recoverLedger}); what `turbulence recover` calls.
   *
   * @example
   * const report = await FaultManager.recoverLedger({ all: false });
   */
  static recoverLedger(options: RecoverOptions = {}): Promise<RecoverReport> {
    return recoverLedger(options);
  }

  /**
   * Clears every timer and listener. Faults still in effect stay in the ledger (call {@link revertAll} first);
   * once this process exits, `turbulence recover` reverts them.
   */
  dispose(): void {
    for (const fault of this.faults.values()) fault.timer?.clear();
    this.removeAllListeners();
  }

  private context(
    signal = this.options.signal ?? new AbortController().signal,
    faultId?: string,
    expiresAt?: number,
  ): FaultContext {
    return {
      rng: this.rng,
      signal,
      ...(this.options.runId !== undefined ? { runId: this.options.runId } : {}),
      ...(faultId !== undefined ? { faultId } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
  }

  private async injectNow(spec: FaultSpec, owner: { activity: string }): Promise<InjectedFault[]> {
    if (this.options.signal?.aborted) {
      throw new TurbulenceError(ErrorCodes.INTERRUPTED, `not injecting ${spec.kind}: the run was interrupted`);
    }
    const driver = await getDriver(spec.kind);
    const params = parseParams<JsonObject>(driver, spec.params, { path: ['params'] });
    assertQueryNotEmpty(spec.kind, spec.target);
    const resolved = await driver.resolveTargets(spec.target, this.context());
    assertAcceptedTypes(driver, resolved);
    const candidates = guardTargets(spec.kind, resolved);
    if (candidates.length === 0) {
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `${spec.kind}: no target matched ${JSON.stringify(spec.target ?? {})}`,
        {
          hint: 'check the target query; `turbulence fault inject KIND --target k=v --dry-run` shows what matches',
        },
      );
    }
    const chosen = (this.options.choose ?? select)(candidates, spec.select ?? { mode: 'all' }, this.rng);
    const { capMs } = checkBlastRadius(this.options.blastRadius, {
      targets: chosen.length,
      ...(spec.durationMs !== undefined ? { durationMs: spec.durationMs } : {}),
      active: this.faults.size,
      committedMs: this.committedMs(),
    });
    const durationMs = spec.durationMs ?? capMs;
    if (this.options.dryRun) return chosen.map((target) => ({ id: `dry-${target.id}`, kind: spec.kind, target }));
    const done: Tracked[] = [];
    try {
      for (const target of chosen) done.push(await this.injectOne(driver, params, target, durationMs, owner.activity));
    } catch (err) {
      for (const fault of done.reverse()) await this.revert(fault.id).catch(() => undefined);
      throw err;
    }
    return done.map(publicView);
  }

  private async injectOne(
    driver: AnyDriver,
    params: JsonObject,
    target: Target,
    durationMs: number | undefined,
    activity: string,
  ): Promise<Tracked> {
    await this.refuseConflict(driver, params, target);
    const id = newFaultId(driver.kind);
    const now = Date.now();
    const fault: Tracked = { id, kind: driver.kind, target, params, activity, injectedAt: now, driver };
    if (durationMs !== undefined) Object.assign(fault, { durationMs, expiresAt: now + durationMs });
    await this.ledger.record({
      id,
      kind: driver.kind,
      target,
      params,
      createdAt: new Date(now).toISOString(),
      ...(fault.expiresAt !== undefined ? { expiresAt: new Date(fault.expiresAt).toISOString() } : {}),
      owner: this.owner(activity),
      status: 'injecting',
    });
    this.faults.set(id, fault);
    // Recorded first, then the guardian: it reverts this fault at expiry should this process be gone by then.
    if (durationMs !== undefined && this.options.guardian !== false)
      await ensureGuardian(this.ledger.dir).catch(() => undefined);
    let phase: 'inject' | 'verify' = 'inject';
    try {
      const expires = durationMs !== undefined ? Date.now() + durationMs : undefined;
      const state = await driver.inject(target, params, this.context(undefined, id, expires));
      if (state !== undefined) fault.state = state;
      const expiresAt = durationMs !== undefined ? { expiresAt: new Date(Date.now() + durationMs).toISOString() } : {};
      await this.ledger.update(id, { status: 'active', ...expiresAt, ...(state !== undefined ? { state } : {}) });
      phase = 'verify';
      if (driver.verify && !(await driver.verify(applied(fault), this.context()))) {
        throw new TurbulenceError(
          ErrorCodes.FAULT_INJECT_FAILED,
          `${driver.kind} on ${target.name} is not in effect after inject`,
          {
            hint: 'the target may have exited or ignored the change; the fault was reverted',
          },
        );
      }
    } catch (err) {
      const error = asError(err, ErrorCodes.FAULT_INJECT_FAILED);
      this.emit('fault-failed', { kind: driver.kind, id, target, phase, error });
      await this.revert(id).catch(() => undefined);
      throw error;
    }
    fault.injectedAt = Date.now();
    if (durationMs !== undefined) {
      fault.expiresAt = fault.injectedAt + durationMs;
      fault.timer = setLongTimeout(() => this.expire(id), durationMs); // chained: durations past 24.8 days work
    }
    this.emit('fault-injected', publicView(fault));
    return fault;
  }

  private expire(id: string): void {
    const fault = this.faults.get(id);
    if (!fault) return;
    this.emit('fault-expired', publicView(fault));
    this.revert(id, 'expired').catch(() => undefined); // reported through 'fault-failed'; the ledger keeps it for recover
  }

  private async revertNow(fault: Tracked, reason: string): Promise<void> {
    fault.timer?.clear();
    await this.ledger.update(fault.id, { status: 'reverting' }).catch(() => undefined); // reverted elsewhere
    let note: string | undefined;
    try {
      note = (await fault.driver.revert(applied(fault), this.context(new AbortController().signal))) ?? undefined;
    } catch (err) {
      const error = new TurbulenceError(
        ErrorCodes.FAULT_REVERT_FAILED,
        `could not revert ${fault.kind} on ${fault.target.name}: ${errorMessage(err)}`,
        {
          hint: `it stays in the ledger: retry with \`turbulence fault revert ${fault.id}\` or \`turbulence recover --all\``,
          cause: err,
        },
      );
      this.emit('fault-failed', { kind: fault.kind, id: fault.id, target: fault.target, phase: 'revert', error });
      throw error;
    }
    await this.removeFromLedger(fault);
    this.faults.delete(fault.id);
    this.usedMs += Date.now() - fault.injectedAt;
    this.emit('fault-reverted', { ...publicView(fault), reason, ...(note ? { note } : {}) });
  }

  /**
   * Removes a reverted fault's entry. When the ledger cannot be written (read-only, disk full) the failure is
   * reported like a failed revert, so a foreground CLI says so and exits non-zero instead of waiting forever; the
   * entry stays, and `recover` reverting it again is harmless.
   */
  private async removeFromLedger(fault: Tracked): Promise<void> {
    try {
      await this.ledger.remove(fault.id);
    } catch (err) {
      const error = new TurbulenceError(
        ErrorCodes.LEDGER,
        `reverted ${fault.kind} on ${fault.target.name}, but could not remove it from the ledger: ${errorMessage(err)}`,
        {
          hint: 'make TURBULENCE_HOME writable again (read-only or full disk?), then run `turbulence recover --all`',
          cause: err,
        },
      );
      this.emit('fault-failed', { kind: fault.kind, id: fault.id, target: fault.target, phase: 'revert', error });
      throw error;
    }
  }

  /** Refuses a fault that cannot coexist with one still in the ledger (see `FaultDriver.exclusive`). */
  private async refuseConflict(driver: AnyDriver, params: JsonObject, target: Target): Promise<void> {
    const key = driver.exclusive?.(target, params);
    if (key === undefined) return;
    for (const entry of (await this.ledger.list()).entries) {
      const other = await getDriver(entry.kind).catch(() => undefined);
      if (otherKey(other, entry) !== key) continue;
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `${driver.kind} on ${target.name} cannot coexist with ${entry.kind} ${entry.id}, which holds it already`,
        {
          hint: `revert that one first (\`turbulence fault revert ${entry.id}\`), or wait until it expires${
            entry.expiresAt ? ` at ${entry.expiresAt}` : ''
          }`,
        },
      );
    }
  }

  private committedMs(): number {
    let total = this.usedMs;
    const now = Date.now();
    for (const f of this.faults.values()) total += f.durationMs ?? now - f.injectedAt;
    return total;
  }

  private owner(activity: string): LedgerOwner {
    const startTime = startTimeOfSync(process.pid);
    return {
      pid: process.pid,
      ...(startTime !== undefined ? { startTime } : {}),
      host: hostname(),
      ...(this.options.runId !== undefined ? { runId: this.options.runId } : {}),
      activity,
      cmd: redactArgv(process.argv).join(' ').slice(0, 500), // no --var values in the ledger
    };
  }
}

/** The exclusive key of a ledger entry (undefined when its driver has none or cannot tell, e.g. its lab is gone). */
function otherKey(driver: AnyDriver | undefined, entry: LedgerEntry): string | undefined {
  try {
    return driver?.exclusive?.(entry.target, entry.params);
  } catch {
    return undefined;
  }
}

function applied(fault: Tracked): AppliedFault {
  return {
    id: fault.id,
    kind: fault.kind,
    target: fault.target,
    params: fault.params,
    ...(fault.state !== undefined ? { state: fault.state } : {}),
  };
}

function publicView(fault: Tracked): ActiveFault {
  const { driver: _driver, timer: _timer, ...rest } = fault;
  return { ...rest };
}

function asError(err: unknown, code: TurbulenceError['code']): TurbulenceError {
  if (isTurbulenceError(err)) return err;
  return new TurbulenceError(code, errorMessage(err), { cause: err });
}

/** A driver that declares its target types gets only targets of those types (a resolver bug, never silent). */
function assertAcceptedTypes(driver: AnyDriver, targets: readonly Target[]): void {
  if (!driver.targets) return;
  const accepted: readonly string[] = driver.targets;
  const wrong = targets.filter((t) => !accepted.includes(t.type));
  if (wrong.length > 0) {
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `${driver.kind} acts on ${accepted.join(' or ')} targets, not ${[...new Set(wrong.map((t) => t.type))].join(', ')}`,
      { hint: '`turbulence fault kinds` lists the target types of each kind' },
    );
  }
}
