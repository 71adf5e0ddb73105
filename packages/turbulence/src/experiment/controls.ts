/**
 * Controls: hooks around the run written in JS/TS (Chaos Toolkit §12). A control names a module whose exports are
 * the hooks, with Chaos Toolkit's names or camelCase ones:
 *
 *   configure_control / configure         cleanup_control / cleanup
 *   before_experiment_control / beforeExperiment     after_experiment_control / afterExperiment
 *   before_hypothesis_control / beforeHypothesis     after_hypothesis_control / afterHypothesis
 *   before_method_control / beforeMethod             after_method_control / afterMethod
 *   before_rollback_control / beforeRollback         after_rollback_control / afterRollback
 *   before_activity_control / beforeActivity         after_activity_control / afterActivity
 *
 * Each hook gets one object: `{ context, state?, configuration, secrets, experiment, arguments }`. A hook that throws
 * is reported as a warning and ignored (controls never fail a run); one that throws {@link InterruptExecution}
 * stops the run with status `interrupted`.
 *
 * Python controls (`provider: {type: python, module}`, Chaos Toolkit's own kind) run in the run's python3 worker,
 * every hook with chaoslib's calling convention (chaoslib/control/python.py): `configure_control(**arguments,
 * experiment?, configuration?, secrets?, settings?)`, `<when>_<level>_control(context=..., **arguments, state?,
 * configuration?, secrets?, experiment?, extensions?, settings?)` (each passed only when the signature names it),
 * `cleanup_control()`. A Python hook that raises `chaoslib.exceptions.InterruptExecution` interrupts the run; any
 * other exception is a warning. A module that cannot be imported is a warning and the control is skipped (chaoslib
 * logs it and carries on). Global controls (settings file, `--control-file`) are applied first, at every level.
 */
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { loadModule } from '../providers/module.js';
import { pythonRequest } from '../providers/python/worker.js';
import { toJsonSafe } from './journal.js';
import { subst } from './activity.js';
import type { RunContext } from './context.js';
import type { Control, Experiment } from './types.js';

/** Thrown by a control to stop the run: its status becomes `interrupted`. */
export class InterruptExecution extends TurbulenceError {
  constructor(message = 'interrupted by a control') {
    super(ErrorCodes.INTERRUPTED, message);
    this.name = 'InterruptExecution';
  }
}

export type ControlLevel = 'experiment' | 'hypothesis' | 'method' | 'rollback' | 'activity';
type Hook = (args: Record<string, unknown>) => unknown;

interface LoadedControl {
  control: Control;
  /** The JS module's exports; absent for a Python control. */
  module?: Record<string, unknown>;
  /** The Python module path, for a Python control. */
  python?: string;
}

const CAMEL: Record<string, string> = {
  configure_control: 'configure',
  cleanup_control: 'cleanup',
};

function hookName(when: 'before' | 'after', level: ControlLevel): [string, string] {
  const snake = `${when}_${level}_control`;
  const camel = `${when}${level[0]!.toUpperCase()}${level.slice(1)}`;
  return [snake, camel];
}

/** The controls of a run: loads modules once, calls hooks at each level. */
export class Controls {
  private readonly loaded = new Map<string, LoadedControl>();
  private readonly topLevel: Control[];

  constructor(
    private readonly ctx: RunContext,
    experiment: Experiment,
    /** Global controls (settings file, `--control-file`): applied before the experiment's own, at every level. */
    global: Control[] = [],
    /** The settings, passed to Python hooks that declare a `settings` parameter. */
    private readonly settings: Record<string, unknown> = {},
  ) {
    const own = experiment.controls ?? [];
    this.topLevel = [...global.filter((g) => !own.some((c) => c.name === g.name)), ...own];
  }

  /** Loads every control module named anywhere in the experiment and calls `configure`. */
  async init(): Promise<void> {
    const all = [...this.topLevel, ...(this.ctx.experiment['steady-state-hypothesis']?.controls ?? [])];
    for (const a of [...this.ctx.experiment.method, ...(this.ctx.experiment.rollbacks ?? [])]) {
      const controls = (a as { controls?: Control[] }).controls;
      if (controls) all.push(...controls);
    }
    for (const c of all) await this.load(this.resolve(c));
  }

  /** Calls `cleanup` on every loaded control. */
  async cleanup(): Promise<void> {
    for (const l of [...this.loaded.values()].reverse()) {
      await this.call(l, ['cleanup_control', CAMEL.cleanup_control!], {});
    }
  }

  /** Runs the `before`/`after` hooks of a level. `own` are the controls declared at that level. */
  async run(
    when: 'before' | 'after',
    level: ControlLevel,
    context: unknown,
    state?: unknown,
    own: Control[] = [],
  ): Promise<void> {
    const applicable =
      level === 'experiment'
        ? this.topLevel
        : [...this.topLevel.filter((c) => c.automatic !== false), ...own.map((c) => this.resolve(c))];
    const seen = new Set<string>();
    for (const c of applicable) {
      if (seen.has(c.name) || (c.scope !== undefined && c.scope !== when)) continue;
      seen.add(c.name);
      const l = this.loaded.get(c.name);
      if (l) await this.call(l, hookName(when, level), { context, ...(state === undefined ? {} : { state }) });
    }
  }

  private resolve(c: Control): Control {
    if (c.ref === undefined) return c;
    return this.topLevel.find((t) => t.name === c.ref) ?? c;
  }

  private async load(c: Control): Promise<void> {
    if (this.loaded.has(c.name) || !c.provider) return;
    const p = c.provider as { type: string; module?: string; arguments?: Record<string, unknown> };
    if (p.type === 'python' && p.module) {
      const l: LoadedControl = { control: c, python: p.module };
      try {
        const answer = await this.callPython(l, 'configure_control', {});
        if (answer === 'import-failed') return; // warned; chaoslib skips a control it cannot import
      } catch (err) {
        // chaoslib/control/__init__.py initialize_controls: a failing configure_control is logged, the control dropped
        this.ctx.events.emit({
          type: 'run.warning',
          message: `control "${c.name}" configure_control failed, the control is dropped: ${errorMessage(err)}`,
        });
        return;
      }
      this.loaded.set(c.name, l);
      return;
    }
    if (p.type !== 'module' || !p.module) {
      this.ctx.events.emit({
        type: 'run.warning',
        message: `control "${c.name}": provider type "${p.type}" is not supported`,
      });
      return;
    }
    try {
      const mod = await loadModule(p.module, this.ctx.baseDir);
      const l = { control: c, module: mod };
      this.loaded.set(c.name, l);
      await this.call(l, ['configure_control', CAMEL.configure_control!], {});
    } catch (err) {
      this.ctx.events.emit({
        type: 'run.warning',
        message: `control "${c.name}" could not load: ${errorMessage(err)}`,
      });
    }
  }

  private async call(l: LoadedControl, names: [string, string], args: Record<string, unknown>): Promise<void> {
    if (l.python !== undefined) {
      await this.callPython(l, names[0], args);
      return;
    }
    const fn = (l.module?.[names[0]] ?? l.module?.[names[1]]) as Hook | undefined;
    if (typeof fn !== 'function') return;
    const p = l.control.provider as { arguments?: Record<string, unknown> } | undefined;
    try {
      await fn({
        ...args,
        configuration: this.ctx.configuration,
        secrets: this.ctx.secrets,
        experiment: this.ctx.experiment,
        arguments: p?.arguments ?? {},
      });
    } catch (err) {
      if (err instanceof TurbulenceError && err.code === ErrorCodes.INTERRUPTED) throw err;
      this.ctx.events.emit({
        type: 'run.warning',
        message: `control "${l.control.name}" ${names[1]} failed (ignored): ${errorMessage(err)}`,
      });
    }
  }

  /** Calls one hook of a Python control in the run's worker; `import-failed` when its module cannot load. */
  private async callPython(
    l: LoadedControl,
    hook: string,
    args: Record<string, unknown>,
  ): Promise<'ok' | 'import-failed'> {
    const p = l.control.provider as { arguments?: Record<string, unknown>; secrets?: string[] };
    const secrets: Record<string, unknown> = p.secrets
      ? (Object.assign({}, ...p.secrets.map((scope) => this.ctx.secrets[scope] ?? {})) as Record<string, unknown>)
      : this.ctx.secrets;
    let answer;
    try {
      answer = await pythonRequest({
        op: 'control',
        module: l.python,
        hook,
        arguments: subst(this.ctx, p.arguments ?? {}),
        context: toJsonSafe(args.context ?? null),
        state: toJsonSafe(args.state ?? null),
        configuration: this.ctx.configuration,
        secrets,
        experiment: toJsonSafe(this.ctx.experiment),
        settings: this.settings,
        paths: [...new Set([this.ctx.baseDir, process.cwd()])],
      });
    } catch (err) {
      this.ctx.events.emit({
        type: 'run.warning',
        message: `control "${l.control.name}" ${hook} could not run in python3 (ignored): ${errorMessage(err)}`,
      });
      return 'ok';
    }
    if (answer.ok) return 'ok';
    if (answer.stage === 'interrupt') throw new InterruptExecution(answer.error ?? 'interrupted by a control');
    if (answer.stage === 'import') {
      this.ctx.events.emit({
        type: 'run.warning',
        message: `control "${l.control.name}": python module '${l.python}' cannot be imported (${answer.error ?? '?'}); the run carries on without it`,
      });
      return 'import-failed';
    }
    this.ctx.events.emit({
      type: 'run.warning',
      message: `control "${l.control.name}" ${hook} failed (ignored): ${answer.error ?? 'unknown error'}`,
    });
    return 'ok';
  }
}
