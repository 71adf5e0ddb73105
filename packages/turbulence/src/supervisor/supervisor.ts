/**
 * @module The supervisor: starts named processes turbulence owns, waits until they are ready, restarts them by
 * policy, records each in `managed/<name>.json`, and stops each with its whole process group.
 *
 *   start(spec) ──spawn (own process group, netns?)──▶ child ──record written──▶ ready (tcp/http/exec)
 *        ▲                                                │ exit
 *        └── restart policy (restart.ts: never|on-failure|always, backoff, gives up after 5 in 10 s) ◀┘
 *
 * A pending policy restart keeps the event loop alive (its timer is not unref'd): a supervisor whose last
 * process failed still restarts it instead of exiting silently.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { turbulenceHome } from '../os/home.js';
import { isSameProcess, startTimeOfSync, waitFor } from '../os/proc.js';
import { waitReady } from './readiness.js';
import { decideRestart } from './restart.js';
import {
  logFile,
  managedSpecSchema,
  readRecord,
  removeRecord,
  selfAsSupervisor,
  spawnManaged,
  writeRecord,
} from './record.js';
import type { ManagedRecord, ManagedSpec, ManagedSpecInput } from './record.js';
import { announceSupervisorEvents, type SupervisorEvents } from './events.js';
import { liveSupervisors } from './live.js';
import { effectiveSpec } from './overrides.js';
import { signalGroup } from '../os/signals.js';

export type { SupervisorEvents } from './events.js';

interface Slot {
  spec: ManagedSpec;
  log: string;
  child?: ChildProcess;
  record?: ManagedRecord;
  /** Set while stop() or restart() take the process down on purpose: no policy restart then. */
  quiet: boolean;
  restarts: number;
  recent: number[];
  timer?: NodeJS.Timeout;
}

/** The in-process supervisor that owns `name`, if any. */
export function supervisorOf(name: string): Supervisor | undefined {
  for (const s of liveSupervisors) if (s instanceof Supervisor && s.owns(name)) return s;
  return undefined;
}

export { supervisedPids } from './live.js';

/**
 * Starts and supervises named processes.
 *
 * @example
 * const sup = new Supervisor();
 * await sup.start({ name: 'web-1', command: 'node', args: ['server.js'], env: { PORT: '8081' },
 *   readiness: { tcp: { host: '127.0.0.1', port: 8081 } }, restart: 'on-failure' });
 * // ... faults with target { managed: 'web-1' } ...
 * await sup.stopAll();
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly home: string;
  private readonly slots = new Map<string, Slot>();

  constructor(options: { home?: string } = {}) {
    super();
    this.home = options.home ?? turbulenceHome();
    announceSupervisorEvents(this);
  }

  /** True when this supervisor runs a process called `name`. */
  owns(name: string): boolean {
    return this.slots.has(name);
  }

  /** Current records, one per supervised process. */
  list(): ManagedRecord[] {
    return [...this.slots.values()].flatMap((s) => (s.record ? [s.record] : []));
  }

  /** The current record of `name`. */
  get(name: string): ManagedRecord | undefined {
    return this.slots.get(name)?.record;
  }

  /** Starts a process and waits until it is ready; `signal` stops the wait (and stops the process). */
  async start(input: ManagedSpecInput, options: { signal?: AbortSignal } = {}): Promise<ManagedRecord> {
    const parsed = managedSpecSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'spec'}: ${i.message}`);
      throw new TurbulenceError(ErrorCodes.USAGE, `invalid process spec: ${problems.join('; ')}`, {
        hint: 'see docs/supervisor.md for the fields of a supervised process',
      });
    }
    const spec = parsed.data;
    if (this.slots.has(spec.name)) {
      throw new TurbulenceError(ErrorCodes.USAGE, `a process named ${spec.name} is already supervised`, {
        hint: 'names must be unique; stop it first or pick another name',
      });
    }
    const slot: Slot = { spec, log: logFile(spec, this.home), quiet: false, restarts: 0, recent: [] };
    this.slots.set(spec.name, slot);
    liveSupervisors.add(this);
    try {
      return await this.launch(slot, options.signal);
    } catch (err) {
      await this.stop(spec.name);
      throw err;
    }
  }

  /** Stops a process (SIGTERM to its group, SIGKILL after 5 s) and removes its record. Idempotent. */
  async stop(name: string): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.quiet = true;
    clearTimeout(slot.timer);
    await this.terminate(slot);
    // Another turbulence process may have respawned it (process.restart after this one lost track).
    const onDisk = await readRecord(name, this.home).catch(() => undefined);
    if (onDisk && onDisk.pid !== slot.record?.pid) await terminateRecorded(onDisk);
    await removeRecord(name, this.home);
    this.slots.delete(name);
    if (this.slots.size === 0) liveSupervisors.delete(this);
  }

  /** Stops every process this supervisor started, in reverse start order. */
  async stopAll(): Promise<void> {
    for (const name of [...this.slots.keys()].reverse()) await this.stop(name);
  }

  /** Stops a process and starts it again; resolves once it is ready. */
  async restart(name: string): Promise<ManagedRecord> {
    const slot = this.slot(name);
    slot.quiet = true;
    clearTimeout(slot.timer);
    await this.terminate(slot);
    slot.restarts += 1;
    return this.launch(slot);
  }

  /** Starts the process again unless it is running; resolves once it is ready. */
  async ensureRunning(name: string): Promise<ManagedRecord> {
    const slot = this.slot(name);
    // Ask /proc, not the ChildProcess: right after a SIGKILL, Node may not have reaped the child yet.
    if (slot.record && (await isSameProcess(slot.record.pid, slot.record.startTime))) return slot.record;
    clearTimeout(slot.timer);
    slot.restarts += 1;
    return this.launch(slot);
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) {
      throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no supervised process named ${name}`, {
        hint: `supervised here: ${[...this.slots.keys()].join(', ') || 'none'}`,
      });
    }
    return slot;
  }

  private async launch(slot: Slot, signal?: AbortSignal): Promise<ManagedRecord> {
    const { spec } = slot;
    // Overrides (config.env, config.arg) may have been written by another turbulence process: read them now.
    const effective = effectiveSpec(spec, this.home);
    const child = spawnManaged(effective.spec, slot.log, false, effective.unset);
    slot.child = child;
    slot.quiet = false;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new TurbulenceError(ErrorCodes.UNAVAILABLE, `could not start ${spec.name}: ${errorMessage(err)}`, {
            hint: `check that ${spec.command} exists and is executable`,
            cause: err,
          }),
        ),
      );
    });
    child.on('error', () => undefined); // later errors (kill on a dead child) are not fatal
    const pid = child.pid as number;
    const record: ManagedRecord = {
      spec,
      pid,
      startTime: startTimeOfSync(pid) ?? '',
      startedAt: new Date().toISOString(),
      restarts: slot.restarts,
      supervisor: selfAsSupervisor(),
      log: slot.log,
      ...(effective.applied.length > 0 ? { overrides: effective.applied } : {}),
    };
    slot.record = record;
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
    await writeRecord(record, this.home);
    this.emit('spawned', record);
    const alive = () => child.exitCode === null && child.signalCode === null;
    if (spec.readiness) {
      const options = { netns: spec.netns, intervalMs: spec.readyIntervalMs, signal, log: slot.log };
      await waitReady(spec.readiness, spec.readyTimeoutMs, alive, spec.name, options);
    }
    this.emit('started', record);
    return record;
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    const name = slot.spec.name;
    if (slot.quiet) {
      this.emit('exited', { name, code, signal, willRestart: false });
      return;
    }
    const decision = decideRestart(slot.spec, { code, signal }, slot.recent, Date.now());
    slot.recent = decision.recent;
    if (!decision.restart && decision.gaveUp) {
      this.emit('gave-up', { name, restarts: slot.restarts, reason: decision.gaveUp });
    }
    this.emit('exited', { name, code, signal, willRestart: decision.restart });
    if (!decision.restart) return;
    // Not unref'd: a pending restart must keep this process alive even when no other process is left.
    slot.timer = setTimeout(() => {
      slot.restarts += 1;
      this.launch(slot).catch((err: unknown) =>
        this.emit('gave-up', { name: slot.spec.name, restarts: slot.restarts, reason: errorMessage(err) }),
      );
    }, decision.delayMs);
  }

  private async terminate(slot: Slot): Promise<void> {
    const child = slot.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid as number, 'SIGTERM');
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), slot.spec.stopTimeoutMs).unref());
    if ((await Promise.race([exited.then(() => true), timeout])) === false) {
      signalGroup(child.pid as number, 'SIGKILL');
      await exited;
    }
  }
}

/** Terminates the process a record names (when it still is that process): SIGTERM, then SIGKILL. */
export async function terminateRecorded(record: ManagedRecord): Promise<void> {
  if (!(await isSameProcess(record.pid, record.startTime))) return;
  const grace = record.spec.stopTimeoutMs ?? 5000; // records written before stopTimeoutMs existed
  signalGroup(record.pid, 'SIGTERM');
  if (await waitFor(async () => !(await isSameProcess(record.pid, record.startTime)), grace, 20)) return;
  if (await isSameProcess(record.pid, record.startTime)) signalGroup(record.pid, 'SIGKILL');
  await waitFor(async () => !(await isSameProcess(record.pid, record.startTime)), 5000, 20);
}
