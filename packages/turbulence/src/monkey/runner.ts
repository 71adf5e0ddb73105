/**
 * @module `monkey run`: follows a schedule's time line on a clock and injects real faults through the fault
 * manager (ledger first, guard, blast radius, durations). Every decision is a run event, appended to the log and
 * to a journal per fault, and counted in the metrics.
 *
 *   planDays(origin) ─▶ day ─▶ entry ─▶ sleep until due ─▶ halted? concurrency? targets? preflight? leashed?
 *        │                                   │                 └─▶ monkey.skipped (reason)
 *        │                                   └─▶ cursor = entry (state.json, before inject: at most once)
 *        │                                       ─▶ FaultManager.inject ─▶ monkey.injected ─▶ … ─▶ monkey.reverted
 *   watcher (every tickMs real): kill switch file, outage checker, lease renewal
 *        └─▶ halt: revert every active fault at once; inject nothing until resume
 */
import { errorMessage } from '../core/errors.js';
import { stamp, EventBus, type AnyEvent } from '../core/events.js';
import type { Target } from '../core/fault.js';
import { FaultManager, type ActiveFault } from '../faults/manager.js';
import type { FaultEvent } from '../faults/manager-types.js';
import { Ledger } from '../faults/ledger.js';
import { ledgerDir, turbulenceHome } from '../os/home.js';
import type { Clock } from './clock.js';
import { MonkeyMetrics } from './metrics.js';
import { Notifier, scheduleText } from './notify.js';
import { chooseTargets, eligible, entryRng, labelsOf, planDays, stableKey, type PlannedEntry } from './plan.js';
import { KM, currentLabels, killTargets, type KubeMonkeySource } from './kube-monkey-live.js';
import { checkOutage, runProbes } from './probes.js';
import { MonkeyStore, monkeyDir, type MonkeyState } from './state.js';
import { resolveGroup } from './targets.js';
import { formatDate, formatZoned, parseDate, zonedInstant, type LocalDate } from './time.js';
import type { Group, Schedule } from './validate.js';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of {@link MonkeyRunner}. */
export interface MonkeyRunOptions {
  schedule: Schedule;
  seed: number;
  clock: Clock;
  /** First local date of the time line (default: today on the clock). A stored state's origin wins. */
  origin?: LocalDate;
  /** Stop once the clock passes this (clock ms); default never. */
  until?: number;
  /** Decide and record only (also when the schedule says `leashed: true`). */
  leashed?: boolean;
  home?: string;
  signal?: AbortSignal;
  /** Start the detached guardian with timed faults (default true): it reverts them if this process dies. */
  guardian?: boolean;
  /** Real ms between kill-switch checks and lease renewals (default 200). */
  tickMs?: number;
  /**
   * Runs a whole-experiment group (the CLI runs `turbulence run FILE --seed N --journal-path J`) and resolves with
   * its exit code; without it such groups are skipped.
   */
  runExperiment?: (file: string, seed: number, journalPath: string) => Promise<number>;
  /** Extra state saved with the time line (the accelerated clock's spec). */
  clockSpec?: MonkeyState['clock'];
  metrics?: MonkeyMetrics;
}

/** A fault group in effect: its manager and journal. */
interface Live {
  entry: PlannedEntry;
  manager: FaultManager;
  faults: Map<string, ActiveFault>;
  journal: { entry: object; faults: object[]; events: AnyEvent[] };
}

/** Runs one schedule until `until`, the signal, or {@link MonkeyRunner.stop}. */
export class MonkeyRunner {
  readonly events = new EventBus<AnyEvent>({ source: 'run' });
  readonly metrics: MonkeyMetrics;
  readonly store: MonkeyStore;
  readonly runId: string;
  private readonly opts: MonkeyRunOptions;
  private readonly schedule: Schedule;
  private readonly live = new Map<string, Live>();
  private readonly stopping = new AbortController();
  private state!: MonkeyState;
  private halted: { reason: string; by: string } | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private lastOutageCheck = 0;
  private checking = false;
  private lastLease = 0;
  private candidates = new Map<string, Target[]>();
  private readonly notifier: Notifier;

  constructor(opts: MonkeyRunOptions) {
    this.opts = opts;
    this.schedule = opts.schedule;
    this.metrics = opts.metrics ?? new MonkeyMetrics();
    this.store = new MonkeyStore(monkeyDir(opts.schedule.name, opts.home ?? turbulenceHome()));
    this.runId = `monkey-${opts.schedule.name}`;
    this.notifier = new Notifier(opts.schedule.notifications, opts.schedule.timezone, (message) =>
      this.emit({ type: 'run.warning', message }),
    );
  }

  /** Whether it only decides and records. */
  get leashed(): boolean {
    return this.opts.leashed === true || this.schedule.leashed;
  }

  /** Faults in effect now. */
  activeFaults(): ActiveFault[] {
    return [...this.live.values()].flatMap((l) => [...l.faults.values()]);
  }

  /** Current halt, if any. */
  haltedBy(): { reason: string; by: string } | undefined {
    return this.halted;
  }

  /** Runs the time line; resolves when stopped. Active faults are reverted before it resolves. */
  async run(): Promise<void> {
    const startedAt = this.opts.clock.now();
    await this.store.open();
    const resumed = await this.loadState();
    const signal = AbortSignal.any([this.stopping.signal, ...(this.opts.signal ? [this.opts.signal] : [])]);
    this.emit({
      type: 'monkey.started',
      schedule: this.schedule.source,
      seed: this.state.seed,
      origin: this.state.origin,
      leashed: this.leashed,
      resumed,
    });
    await this.resolveCandidates();
    await this.tick();
    this.watcher = setInterval(() => void this.tick(), this.opts.tickMs ?? 200);
    let reason = 'until';
    try {
      reason = await this.loop(signal, resumed ? startedAt : -Infinity);
    } finally {
      clearInterval(this.watcher);
      await this.revertAll('monkey-stopped');
      await this.notifier.flush();
      this.emit({ type: 'monkey.stopped', reason: signal.aborted ? 'interrupted' : reason });
      await this.store.flush();
    }
  }

  /** Stops the loop (faults in effect are reverted). */
  stop(): void {
    this.stopping.abort();
  }

  /** Throws the kill switch: reverts every active fault now, injects nothing until {@link resume}. */
  async halt(reason: string, by = 'api'): Promise<void> {
    await this.store.halt(reason, by);
    await this.tick(true);
  }

  /** Releases the kill switch. */
  async resume(): Promise<void> {
    await this.store.resume();
    await this.tick(true);
  }

  /** Entries due before `missedBefore` (when this run resumed a time line) were missed while no monkey ran. */
  private async loop(signal: AbortSignal, missedBefore: number): Promise<string> {
    const origin = parseDate(this.state.origin) as LocalDate;
    const days = planDays({
      schedule: this.schedule,
      seed: this.state.seed,
      start: origin,
      candidates: (g) => this.candidates.get(g.name),
    });
    for (;;) {
      const { date, entries } = days.next().value;
      const dayStart = zonedInstant(date, 0, this.schedule.timezone);
      if (this.opts.until !== undefined && dayStart >= this.opts.until) return 'until';
      if (signal.aborted) return 'interrupted';
      await this.opts.clock.sleepUntil(dayStart, signal);
      const pending = entries.filter((e) => !this.done(e));
      for (const e of pending) {
        if (e.decision === 'fire' && e.at >= missedBefore) this.decision('monkey.scheduled', e, {});
      }
      this.reportSchedule(pending.filter((e) => e.decision === 'fire' && e.at >= missedBefore));
      for (const e of pending) {
        if (this.opts.until !== undefined && e.at >= this.opts.until) return 'until';
        await this.opts.clock.sleepUntil(e.at, signal);
        if (signal.aborted) return 'interrupted';
        await this.settle(e, e.at < missedBefore);
      }
    }
  }

  private done(e: PlannedEntry): boolean {
    const c = this.state.cursor;
    return c !== undefined && (e.at < c.at || (e.at === c.at && e.id <= c.id));
  }

  /** Decides one due entry. */
  private async settle(e: PlannedEntry, missed: boolean): Promise<void> {
    const group = this.schedule.groups.find((g) => g.name === e.group) as Group;
    const skip = async (reason: string) => {
      await this.advance(e);
      this.decision('monkey.skipped', e, { reason });
      if (e.decision === 'fire' && !missed) this.notify(e, group, reason);
    };
    if (e.decision === 'skip') return skip(e.reason ?? 'planned skip');
    if (missed) return skip('missed: the monkey was not running when it was due');
    if (this.halted) return skip(`halted: ${this.halted.reason}`);
    if (this.activeFaults().length >= this.schedule.maxConcurrent && this.live.size >= this.schedule.maxConcurrent) {
      return skip(`max-concurrent: ${this.live.size} fault(s) still in effect`);
    }
    if (group.experiment !== undefined) return this.runExperiment(e, group);
    let targets: Target[];
    if (group.kubeMonkey) {
      const km = await this.kubeMonkeyTargets(e, group, group.kubeMonkey);
      if ('skip' in km) return skip(`kube-monkey: ${km.skip}`);
      targets = km.targets;
    } else {
      targets = await this.targetsFor(e, group);
    }
    if (targets.length === 0) return skip('no-target: nothing eligible matches the group now');
    if (group.maxTargets !== undefined) targets = targets.slice(0, group.maxTargets);
    const inEffect = this.activeFaults().length; // one fault per target
    if (this.schedule.maxTargets !== undefined && inEffect + targets.length > this.schedule.maxTargets) {
      return skip(
        `blast-radius: ${inEffect} target(s) under faults, ${targets.length} more would exceed maxTargets ${this.schedule.maxTargets}`,
      );
    }
    const preflight = await runProbes(group.preflight, dirname(this.schedule.source));
    if (!preflight.ok) return skip(`preflight: ${preflight.reason}`);
    const halted = this.haltedBy(); // may have been thrown while the probes ran
    if (halted) return skip(`halted: ${halted.reason}`);
    await this.advance(e, targets);
    if (this.leashed) {
      this.decision('monkey.leashed', e, { targets: targets.map(targetView) });
      this.notify(e, group, '', targets);
      return;
    }
    await this.inject(e, group, targets);
  }

  /** kube-monkey's kill time: the victim's labels are read again and its kill mode decides the targets. */
  private async kubeMonkeyTargets(
    e: PlannedEntry,
    group: Group,
    source: KubeMonkeySource,
  ): Promise<{ targets: Target[] } | { skip: string }> {
    const resolved = (await resolveGroup(group)).targets;
    const now = eligible(resolved, group, this.schedule);
    const current = await currentLabels(source, now);
    if ('skip' in current) return current;
    const candidates = 'identifier' in source ? now.filter((t) => labelsOf(t)[KM.enabled] === 'enabled') : now;
    const decision = killTargets(
      current.labels,
      current.title,
      candidates,
      entryRng(this.state.seed, e.id).fork('kill'),
    );
    if ('note' in decision && decision.note)
      this.emit({ type: 'run.warning', message: `kube-monkey: ${decision.note}` });
    return decision;
  }

  /** The planned targets if they are still there (by stable key), else a fresh choice from what matches now. */
  private async targetsFor(e: PlannedEntry, group: Group): Promise<Target[]> {
    const resolved = await resolveGroup(group);
    const now = eligible(resolved.targets, group, this.schedule);
    if (e.targets && e.targets.length > 0) {
      const wanted = new Set(e.targets.map(stableKey));
      const same = now.filter((t) => wanted.has(stableKey(t)));
      if (same.length > 0) return same;
    }
    return chooseTargets(now, group, this.schedule, entryRng(this.state.seed, e.id));
  }

  private async inject(e: PlannedEntry, group: Group, targets: Target[]): Promise<void> {
    const fault = group.fault!;
    const ids = new Set(targets.map((t) => t.id));
    const manager = new FaultManager({
      rng: entryRng(this.state.seed, e.id),
      runId: this.runId,
      ledger: new Ledger(ledgerDir(this.opts.home ?? turbulenceHome())),
      guardian: this.opts.guardian ?? true,
      choose: (candidates) => candidates.filter((t) => ids.has(t.id)),
    });
    const live: Live = {
      entry: e,
      manager,
      faults: new Map(),
      journal: { entry: { id: e.id, group: e.group, kind: e.kind, due: this.zoned(e.at) }, faults: [], events: [] },
    };
    this.live.set(e.id, live);
    manager.on('event', (ev: FaultEvent) => {
      live.journal.events.push(ev as unknown as AnyEvent);
      this.events.emit(ev as unknown as AnyEvent);
      void this.store.append(ev);
    });
    manager.on('fault-reverted', (f) => this.reverted(live, f.id, f.reason));
    try {
      const durationMs = Math.max(1, Math.round(this.opts.clock.toRealMs(e.durationMs)));
      const injected = await manager.inject(
        {
          kind: fault.kind,
          ...(group.targets ? { target: group.targets } : {}),
          params: fault.params,
          durationMs,
          select: { mode: 'all' },
        },
        { activity: `monkey:${e.id}` },
      );
      if (injected.length === 0) throw new Error('the chosen targets were gone before injection');
      for (const f of manager.active()) live.faults.set(f.id, f);
      live.journal.faults = injected.map((f) => ({ id: f.id, kind: f.kind, target: targetView(f.target) }));
      this.metrics.active.set(this.activeFaults().length);
      this.decision('monkey.injected', e, { faults: live.journal.faults }, live);
      this.notify(e, group, '', targets);
      await this.store.writeJournal(e.id, live.journal);
      if (this.halted) await this.revertLive(live, 'halt'); // halted while injecting
    } catch (err) {
      this.live.delete(e.id);
      manager.dispose();
      this.decision('monkey.skipped', e, { reason: `inject-failed: ${errorMessage(err)}` }, live);
      this.notify(e, group, `inject-failed: ${errorMessage(err)}`, targets);
      await this.store.writeJournal(e.id, live.journal);
    }
  }

  private reverted(live: Live, id: string, reason: string): void {
    live.faults.delete(id);
    this.emit({ type: 'monkey.reverted', entry: live.entry.id, group: live.entry.group, fault: id, reason }, live);
    this.metrics.decisions.inc({ group: live.entry.group, decision: 'reverted' });
    if (live.manager.active().length === 0 && this.live.get(live.entry.id) === live) {
      this.live.delete(live.entry.id);
      live.manager.dispose();
      void this.store.writeJournal(live.entry.id, live.journal).catch(() => undefined);
    }
    this.metrics.active.set(this.activeFaults().length);
  }

  private async runExperiment(e: PlannedEntry, group: Group): Promise<void> {
    const file = group.experiment as string;
    if (!this.opts.runExperiment) {
      await this.advance(e);
      this.decision('monkey.skipped', e, {
        reason: 'experiment groups run only from the CLI (`turbulence monkey run`)',
      });
      return;
    }
    await this.advance(e);
    if (this.leashed) {
      this.decision('monkey.leashed', e, { targets: [{ id: file, name: file }] });
      this.notify(e, group, '');
      return;
    }
    const seed = entryRng(this.state.seed, e.id).int(0x7fff_ffff);
    const journal = this.store.experimentJournalPath(e.id);
    this.decision('monkey.injected', e, {
      faults: [{ id: `experiment:${file}`, kind: 'experiment', target: { id: file, name: file } }],
      seed,
      journal,
    });
    await mkdir(dirname(journal), { recursive: true, mode: 0o700 });
    const code = await this.opts.runExperiment(file, seed, journal);
    this.emit({
      type: 'monkey.reverted',
      entry: e.id,
      group: e.group,
      fault: `experiment:${file}`,
      reason: `exit ${code}`,
      journal,
    });
    this.notify(e, group, code === 0 ? '' : `exit ${code}`);
  }

  /** What a notification names: the kube-monkey workload or identifier, else the targets (or the group). */
  private victim(
    e: PlannedEntry,
    group: Group,
    targets: Target[] = [],
  ): { name: string; kind: string; namespace: string } {
    const km = group.kubeMonkey;
    if (km && 'workload' in km) return { ...km.workload };
    if (km) return { name: km.identifier, kind: 'containers', namespace: '' };
    const ns = targets[0]?.attributes.namespace;
    return {
      name: targets.length > 0 ? targets.map((t) => t.name).join(', ') : (group.experiment ?? group.name),
      kind: e.kind,
      namespace: typeof ns === 'string' ? ns : '',
    };
  }

  private notify(e: PlannedEntry, group: Group, error: string, targets?: Target[]): void {
    if (this.schedule.notifications.length === 0) return;
    this.notifier.attack({ ...this.victim(e, group, targets), error, at: this.opts.clock.now() });
  }

  private reportSchedule(entries: PlannedEntry[]): void {
    if (!this.schedule.notifications.some((n) => n.reportSchedule) || entries.length === 0) return;
    const rows = entries.map((e) => {
      const group = this.schedule.groups.find((g) => g.name === e.group) as Group;
      return { ...this.victim(e, group, e.targets), at: this.zoned(e.at) };
    });
    this.notifier.schedule(scheduleText(rows));
  }

  /** Moves the cursor past `e` (on disk, before any fault of it takes effect). */
  private async advance(e: PlannedEntry, targets: Target[] = []): Promise<void> {
    this.state.cursor = { at: e.at, id: e.id };
    for (const t of targets) this.state.lastByKey[stableKey(t)] = e.workday;
    await this.store.writeState(this.state);
  }

  /** Kill switch, outage checker, lease: run every tickMs, and at once on halt/resume. */
  private async tick(force = false): Promise<void> {
    if (this.checking && !force) return;
    this.checking = true;
    try {
      const record = await this.store.readHalt();
      if (record && !this.halted) await this.enterHalt(record.reason, record.by);
      if (!record && this.halted) {
        this.halted = undefined;
        this.metrics.halted.set(0);
        this.emit({ type: 'monkey.resumed' });
      }
      const outage = this.schedule.outage;
      if (outage && !this.halted && Date.now() - this.lastOutageCheck >= outage.intervalMs) {
        this.lastOutageCheck = Date.now();
        const v = await checkOutage(outage, dirname(this.schedule.source));
        if (!v.ok && !this.halted) {
          await this.store.halt(`outage: ${v.reason}`, 'outage-checker');
          await this.enterHalt(`outage: ${v.reason}`, 'outage-checker');
        }
      }
      if (Date.now() - this.lastLease >= 2000) {
        this.lastLease = Date.now();
        await this.store.renewLease().catch(() => undefined);
      }
    } catch (err) {
      this.emit({ type: 'run.warning', message: `monkey watcher: ${errorMessage(err)}` });
    } finally {
      this.checking = false;
    }
  }

  private async enterHalt(reason: string, by: string): Promise<void> {
    this.halted = { reason, by };
    this.metrics.halted.set(1);
    const reverted = this.activeFaults().map((f) => f.id);
    await this.revertAll('halt');
    this.emit({ type: 'monkey.halted', reason, by, reverted });
  }

  private async revertAll(reason: string): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => this.revertLive(l, reason)));
  }

  private async revertLive(live: Live, reason: string): Promise<void> {
    const failures = await live.manager.revertAll(reason);
    for (const f of failures)
      this.emit({ type: 'run.warning', message: `could not revert ${f.id}: ${f.error.message}` });
  }

  private async loadState(): Promise<boolean> {
    const stored = await this.store.readState();
    if (stored) {
      this.state = stored;
      return true;
    }
    const origin = this.opts.origin ?? localDateOn(this.opts.clock.now(), this.schedule.timezone);
    this.state = {
      version: 1,
      name: this.schedule.name,
      schedule: this.schedule.source,
      seed: this.opts.seed,
      origin: formatDate(origin),
      ...(this.opts.clockSpec ? { clock: this.opts.clockSpec } : {}),
      lastByKey: {},
    };
    await this.store.writeState(this.state);
    return false;
  }

  private async resolveCandidates(): Promise<void> {
    for (const group of this.schedule.groups) {
      if (!group.fault) continue;
      const r = await resolveGroup(group);
      if ('problem' in r) this.emit({ type: 'run.warning', message: `group ${group.name}: ${r.problem}` });
      else this.candidates.set(group.name, r.targets);
    }
  }

  private decision(type: string, e: PlannedEntry, extra: Record<string, unknown>, live?: Live): void {
    const decision = type.slice('monkey.'.length);
    this.metrics.decisions.inc({ group: e.group, decision });
    this.emit(
      {
        type,
        entry: e.id,
        group: e.group,
        kind: e.kind,
        due: this.zoned(e.at),
        ...(type === 'monkey.scheduled' && e.targets ? { targets: e.targets.map(targetView) } : {}),
        ...extra,
      },
      live,
    );
  }

  private emit(payload: { type: string } & Record<string, unknown>, live?: Live): void {
    const event = stamp('run', { ...payload, runId: this.runId }) as AnyEvent;
    live?.journal.events.push(event);
    this.events.emit(event);
    void this.store.append(event);
  }

  private zoned(ms: number): string {
    return formatZoned(ms, this.schedule.timezone);
  }
}

function targetView(t: Target): { id: string; name: string } {
  return { id: t.id, name: t.name };
}

function localDateOn(ms: number, tz: string): LocalDate {
  const d = new Date(ms);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
  return parseDate(parts) as LocalDate;
}
