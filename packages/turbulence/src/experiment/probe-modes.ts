/**
 * Ours (after LitmusChaos): modal probes. A method probe with a `mode` does not run where it stands; it watches
 * the activities that follow it, up to the next group of modal probes (for a Litmus engine: one fault):
 *
 *   group of modal probes ─▶ SOT / Edge evaluated (a failure skips the watched activities, as Litmus skips the chaos)
 *                           Continuous polled from here; OnChaos polled from the first fault injected
 *   watched activities    ─▶ ...
 *   end of the group      ─▶ Continuous / OnChaos stopped; EOT / Edge evaluated
 *
 * One evaluation makes up to `attempt` (2.x: `retry`) attempts, `interval` apart, each cut at `probeTimeout`; the
 * first that passes (activity succeeded, tolerance met when it has one) passes it. The first evaluation waits
 * `initialDelay`. A failed probe marks the run deviated; with `stopOnFailure` it aborts the run (faults reverted).
 * Each probe's result is a `probe.status` event (the journal's `probes`).
 */
import { errorMessage } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { runActivity } from './activity.js';
import { resolveActivity, sleep, type RunContext } from './context.js';
import type { ProbePhase, ProbeStatus, RunProperties } from './probe-modes-schema.js';
import type { RunState } from './state.js';
import type { Activity, ActivityOrRef, Probe } from './types.js';

/** The mode of a method entry, when it is a modal probe. */
export function modeOf(entry: ActivityOrRef): Probe['mode'] | undefined {
  const a = entry as Partial<Probe>;
  return a.type === 'probe' && typeof a.mode === 'string' ? a.mode : undefined;
}

interface Watched {
  probe: Probe;
  status: ProbeStatus;
  delayed: boolean;
}

interface Group {
  /** Index in the method of the group's first probe. */
  first: number;
  probes: Watched[];
  skipped: boolean;
  stop: AbortController;
  loops: Promise<void>[];
  unlisten?: () => void;
}

const ms = (v: number | string | undefined, fallback: number, what: string): number =>
  v === undefined ? fallback : parseDuration(v, what);

/** Runs the modal probes of one method. `at(i)` before entry i; `close()` after the last one. */
export class ModalProbes {
  private current: Group | undefined;
  private readonly groupStarts = new Set<number>();

  constructor(
    private readonly ctx: RunContext,
    private readonly method: ActivityOrRef[],
    private readonly state: RunState,
  ) {
    method.forEach((e, i) => {
      if (modeOf(e) && (i === 0 || !modeOf(method[i - 1] as ActivityOrRef))) this.groupStarts.add(i);
    });
  }

  /** True when the method has modal probes. */
  get any(): boolean {
    return this.groupStarts.size > 0;
  }

  /**
   * Called before method entry `i`: true when the method must not run it (a modal probe, handled here, or an
   * activity whose SOT probe failed).
   */
  async at(i: number): Promise<boolean> {
    const entry = this.method[i] as ActivityOrRef;
    if (!modeOf(entry)) return this.current?.skipped === true;
    if (this.groupStarts.has(i)) {
      await this.close();
      await this.open(i);
    }
    return true;
  }

  /** Ends the current group: stops its polls, runs its EOT/Edge probes, reports every probe's result. */
  async close(): Promise<void> {
    const g = this.current;
    if (!g) return;
    this.current = undefined;
    g.unlisten?.();
    // OnChaos probes whose faults never came are evaluated once now, so none goes unchecked.
    for (const w of g.probes) {
      if (w.probe.mode === 'OnChaos' && w.status.evaluations === 0 && !g.skipped && !this.state.stopped) {
        g.loops.push(this.poll(g, w, 'OnChaos', true));
      }
    }
    g.stop.abort();
    await Promise.all(g.loops);
    for (const w of g.probes) {
      if (w.probe.mode === 'EOT' || w.probe.mode === 'Edge') {
        if (g.skipped || this.state.stopped) w.status.status.PostChaos = 'N/A';
        else await this.evaluate(w, 'PostChaos');
      }
    }
    for (const w of g.probes) {
      const st = w.status;
      st.passed = Object.values(st.status).every((s) => s === 'Passed');
      this.ctx.events.emit({ type: 'probe.status', status: st });
    }
  }

  private async open(first: number): Promise<void> {
    const probes: Watched[] = [];
    for (let i = first; i < this.method.length && modeOf(this.method[i] as ActivityOrRef); i++) {
      const probe = resolveActivity(this.method[i] as ActivityOrRef, this.ctx.refs) as Probe;
      const type = (probe.provider as { probe?: unknown }).probe;
      probes.push({
        probe,
        delayed: false,
        status: {
          name: probe.name,
          type: probe.provider.type === 'litmus-probe' && typeof type === 'string' ? type : probe.provider.type,
          mode: probe.mode as NonNullable<Probe['mode']>,
          status: {},
          passed: false,
          evaluations: 0,
        },
      });
    }
    const g: Group = { first, probes, skipped: false, stop: new AbortController(), loops: [] };
    this.current = g;
    for (const w of probes) {
      if (w.probe.mode !== 'SOT' && w.probe.mode !== 'Edge') continue;
      if (g.skipped || this.state.stopped) {
        w.status.status.PreChaos = 'N/A';
        continue;
      }
      // Litmus: a probe failing before the chaos ends that experiment; its chaos is not injected.
      if (!(await this.evaluate(w, 'PreChaos'))) g.skipped = true;
    }
    if (g.skipped || this.state.stopped) {
      for (const w of probes) {
        if (w.probe.mode === 'Continuous' || w.probe.mode === 'OnChaos') w.status.status[w.probe.mode] = 'N/A';
      }
      return;
    }
    for (const w of probes) if (w.probe.mode === 'Continuous') g.loops.push(this.poll(g, w, 'Continuous'));
    const onChaos = probes.filter((w) => w.probe.mode === 'OnChaos');
    if (onChaos.length > 0) {
      const unlisten = this.ctx.events.on((e) => {
        if (e.type !== 'fault.injected' || g.unlisten === undefined) return;
        g.unlisten = undefined;
        unlisten();
        for (const w of onChaos) g.loops.push(this.poll(g, w, 'OnChaos'));
      });
      g.unlisten = unlisten;
    }
  }

  /** Evaluates `w` every `probePollingInterval` until the group ends or it fails (`once`: a single time). */
  private async poll(g: Group, w: Watched, phase: ProbePhase, once = false): Promise<void> {
    const rp = w.probe.runProperties ?? {};
    const every = ms(rp.probePollingInterval, 1000, 'runProperties.probePollingInterval');
    w.status.status[phase] = 'Passed';
    for (;;) {
      if (this.state.stopped) return;
      if (!(await this.evaluate(w, phase, g.stop.signal))) return;
      if (once || !(await sleep(every, AbortSignal.any([g.stop.signal, this.ctx.signal])))) return;
    }
  }

  /** One evaluation: up to `attempt` attempts; records the phase's status; true when it passed. */
  private async evaluate(w: Watched, phase: ProbePhase, stop?: AbortSignal): Promise<boolean> {
    const rp: RunProperties = w.probe.runProperties ?? {};
    if (!w.delayed) {
      w.delayed = true;
      const delay =
        rp.initialDelay !== undefined
          ? ms(rp.initialDelay, 0, 'runProperties.initialDelay')
          : (rp.initialDelaySeconds ?? 0) * 1000;
      if (!(await sleep(delay, stop ? AbortSignal.any([stop, this.ctx.signal]) : this.ctx.signal))) return true;
    }
    const attempts = Math.max(1, rp.attempt ?? rp.retry ?? 1);
    const timeout = ms(rp.probeTimeout, 0, 'runProperties.probeTimeout');
    const interval = ms(rp.interval, 1000, 'runProperties.interval');
    let why = '';
    for (let a = 1; a <= attempts; a++) {
      const signal = timeout > 0 ? AbortSignal.any([this.ctx.signal, AbortSignal.timeout(timeout)]) : this.ctx.signal;
      const activity: Activity = { ...w.probe, probe_phase: phase };
      try {
        const record = await runActivity({ ...this.ctx, signal }, activity, {
          phase: 'method',
          checkTolerance: w.probe.tolerance !== undefined,
        });
        if (this.ctx.signal.aborted) return true; // the run stopped: not the probe's failure
        if (record.status === 'succeeded' && record.tolerance_met !== false) {
          w.status.evaluations++;
          if (w.status.status[phase] !== 'Failed') w.status.status[phase] = 'Passed';
          return true;
        }
        why =
          record.status === 'failed'
            ? signal.aborted && !this.ctx.signal.aborted
              ? `timed out after probeTimeout ${timeout} ms`
              : (record.exception ?? []).join('').trim()
            : `tolerance not met: ${record.tolerance_reason ?? ''}`;
      } catch (err) {
        why = errorMessage(err);
      }
      if (a < attempts && !(await sleep(interval, this.ctx.signal))) return true;
    }
    w.status.evaluations++;
    w.status.status[phase] = 'Failed';
    w.status.failure ??= `${phase}: ${why}`;
    this.state.deviated = true;
    if (rp.stopOnFailure) this.state.abort(`probe "${w.probe.name}" failed (${phase}) with stopOnFailure: ${why}`);
    return false;
  }
}
