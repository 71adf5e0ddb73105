/**
 * Runs one activity: pauses, dry mode, `${...}` substitution of the provider's fields, the provider call with
 * its abort signal and (strict mode) the activity timeout, `until` polling, and the tolerance of a probe.
 * Produces Chaos Toolkit's run record, appended to the caller's list and announced (`activity.started`) BEFORE the
 * provider is called, so the live journal shows what is running.
 */
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { getProvider } from '../providers/index.js';
import type { ProviderContext, ProviderDefinition } from '../providers/types.js';
import type { RunContext } from './context.js';
import { sleep } from './context.js';
import type { Phase } from './events.js';
import { exceptionLines, timestamp, toJsonSafe, type RunRecord } from './journal.js';
import { checksTolerancesUnderDry, executesUnderDry, pausesUnderDry } from './policy.js';
import { substitute } from './substitute.js';
import { checkTolerance } from './tolerance.js';
import type { Activity, ProbeTolerance, Provider, Tolerance } from './types.js';

export interface ActivityOptions {
  phase: Phase;
  /** Check the activity's tolerance (hypothesis probes always; method probes when they declare one). */
  checkTolerance: boolean;
  /** Where the record goes (appended at start). */
  records?: RunRecord[];
}

/** Substitutes `${...}` in a value with the run's configuration, secrets and step outputs. */
export function subst(ctx: RunContext, value: unknown): unknown {
  return substitute(value, { configuration: ctx.configuration, secrets: ctx.secrets, steps: ctx.steps });
}

/** Seconds of a pause (`number` or `"${var}"`), 0 when absent. */
function pauseSeconds(ctx: RunContext, value: unknown): number {
  if (value === undefined || value === null) return 0;
  const v = subst(ctx, value);
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `pause ${JSON.stringify(v)} is not a number of seconds`);
  }
  return n;
}

/**
 * The provider object with `${...}` applied to the keys its definition lists (Chaos Toolkit §5). `arguments` of
 * the Chaos Toolkit providers are substituted only `if configuration or secrets` (chaoslib/provider/process.py,
 * http.py, python.py): with neither, `$$` stays `$$` (step outputs, ours, are still replaced).
 */
export function substituteProvider(ctx: RunContext, def: ProviderDefinition, provider: Provider): Provider {
  const out: Record<string, unknown> = { ...provider };
  const empty = Object.keys(ctx.configuration).length === 0 && Object.keys(ctx.secrets).length === 0;
  for (const key of def.substitute) {
    if (out[key] === undefined) continue;
    const keep = empty && (key as string) === 'arguments' && CTK_PROVIDERS.has(provider.type);
    out[key] = keep
      ? substitute(out[key], { configuration: {}, secrets: {}, steps: ctx.steps, keepEscapes: true })
      : subst(ctx, out[key]);
  }
  return out as unknown as Provider;
}

const CTK_PROVIDERS = new Set(['process', 'http', 'python']);

/** One line saying what the provider will do, with `${...}` already applied. */
function describeProvider(ctx: RunContext, def: ProviderDefinition | undefined, provider: Provider): string {
  if (!def?.describe) return provider.type;
  try {
    return def.describe(substituteProvider(ctx, def, provider));
  } catch {
    return def.describe(provider);
  }
}

/** Calls a provider with the run context; `timeoutMs` (strict mode) aborts it. */
export async function callProvider(
  ctx: RunContext,
  activity: Pick<Activity, 'name' | 'provider'>,
  timeoutMs?: number,
): Promise<unknown> {
  const def = getProvider(activity.provider.type) as ProviderDefinition | undefined;
  if (!def) {
    throw new TurbulenceError(ErrorCodes.ACTIVITY_FAILED, `unknown provider type "${activity.provider.type}"`);
  }
  const provider = substituteProvider(ctx, def, activity.provider);
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onRunAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new TurbulenceError(ErrorCodes.TIMEOUT, 'activity took too long to complete')),
          timeoutMs,
        );
  const pctx: ProviderContext = {
    configuration: ctx.configuration,
    secrets: ctx.secrets,
    signal: controller.signal,
    baseDir: ctx.baseDir,
    rng: ctx.rng,
    strict: ctx.strict,
    ...(ctx.faults ? { faults: wrapInjector(ctx, activity.name) } : {}),
  };
  try {
    const call = def.run(provider, pctx);
    if (timeoutMs === undefined) return await call;
    // A provider that ignores its signal still cannot hold the run past the timeout.
    return await Promise.race([
      call,
      new Promise((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onRunAbort);
  }
}

function wrapInjector(ctx: RunContext, activity: string): NonNullable<ProviderContext['faults']> {
  const inner = ctx.faults!;
  return { inject: (spec, owner) => inner.inject(spec, { ...owner, activity: owner.activity || activity }) };
}

const failures = new WeakMap<RunRecord, unknown>();

/** The error a failed activity's provider threw (not in the journal, which keeps its text in `exception`). */
export function failureOf(record: RunRecord): unknown {
  return failures.get(record);
}

/**
 * Runs an activity and returns its record. Provider errors become `status: "failed"`; a TurbulenceError that is
 * not an activity failure (an unresolved ref, a bug) propagates, which aborts a method.
 */
export async function runActivity(ctx: RunContext, activity: Activity, opts: ActivityOptions): Promise<RunRecord> {
  const kind = activity.type;
  const record: RunRecord = { activity: activity, output: null, start: timestamp(), status: null };
  opts.records?.push(record);
  const startedAt = performance.now();
  const def = getProvider(activity.provider.type) as ProviderDefinition | undefined;
  ctx.events.emit({
    type: 'activity.started',
    phase: opts.phase,
    name: activity.name,
    kind,
    describe: describeProvider(ctx, def, activity.provider),
    background: activity.background === true,
    record,
  });

  const executes = executesUnderDry(ctx.dry, kind);
  const pauses = pausesUnderDry(ctx.dry, kind);
  await pause(ctx, activity, 'before', pauses, opts.phase);

  let failed: unknown;
  if (executes && !ctx.signal.aborted) {
    try {
      record.output = toJsonSafe(await execute(ctx, activity));
      record.status = 'succeeded';
      warnNonZeroExit(ctx, activity, record.output);
    } catch (err) {
      // Runner errors (an unresolved ref, a bug) escape and abort the method, unless the run is already stopping.
      const runnerError =
        isTurbulenceError(err) && err.code !== ErrorCodes.ACTIVITY_FAILED && err.code !== ErrorCodes.TIMEOUT;
      if (runnerError && !ctx.signal.aborted) throw err;
      failed = err;
      failures.set(record, err);
      record.status = 'failed';
      record.exception = exceptionLines(err);
    }
  } else {
    record.status = 'succeeded';
    if (ctx.signal.aborted) {
      record.status = 'failed';
      record.exception = exceptionLines(new Error('not run: the run was stopped'));
    }
  }

  if (failed === undefined && executes && opts.checkTolerance && activity.tolerance !== undefined) {
    const verdict = await evaluateIn(ctx, activity.tolerance, record.output, opts.phase);
    record.tolerance_met = verdict.met;
    record.tolerance_reason = verdict.reason;
  } else if (opts.checkTolerance && activity.tolerance !== undefined) {
    record.tolerance_met = failed === undefined;
    if (failed !== undefined) record.tolerance_reason = `the probe failed: ${errorMessage(failed)}`;
    else if (!checksTolerancesUnderDry(ctx.dry) || !executes) record.tolerance_reason = 'not checked (dry run)';
  }

  const ms = performance.now() - startedAt;
  record.end = timestamp();
  record.duration = ms / 1000;
  if (record.status === 'succeeded') ctx.steps.set(activity.name, record.output);
  await pause(ctx, activity, 'after', pauses, opts.phase);
  ctx.events.emit({
    type: 'activity.finished',
    phase: opts.phase,
    record,
    ...(executes ? {} : { skipped: 'dry' as const }),
  });
  return record;
}

/**
 * chaoslib/provider/process.py: a process activity without a tolerance that exits non-zero is not a failure,
 * but Chaos Toolkit logs a warning ("This process returned a non-zero exit code...").
 */
function warnNonZeroExit(ctx: RunContext, activity: Activity, output: unknown): void {
  if (activity.provider.type !== 'process' || activity.tolerance !== undefined) return;
  const status = (output as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status <= 0) return;
  ctx.events.emit({
    type: 'run.warning',
    message: `process activity "${activity.name}" exited with status ${status}; this may indicate an error (the activity still counts as succeeded, as in Chaos Toolkit)`,
  });
}

/** Calls the provider, polling while `until` says so. */
async function execute(ctx: RunContext, activity: Activity): Promise<unknown> {
  const timeoutMs = ctx.strict && typeof activity.timeout === 'number' ? activity.timeout * 1000 : undefined;
  if (!activity.until || activity.tolerance === undefined) return callProvider(ctx, activity, timeoutMs);
  const deadline = Date.now() + parseDuration(subst(ctx, activity.until.timeout) as string | number, 'until.timeout');
  const interval = parseDuration((subst(ctx, activity.until.interval ?? 1) as string | number) ?? 1, 'until.interval');
  for (;;) {
    let output: unknown;
    let lastError: Error | undefined;
    try {
      output = await callProvider(ctx, activity, timeoutMs);
      if ((await evaluate(ctx, activity.tolerance, output)).met) return output;
    } catch (err) {
      if (!isTurbulenceError(err, ErrorCodes.ACTIVITY_FAILED)) throw err;
      lastError = err;
    }
    if (Date.now() + interval > deadline || !(await sleep(interval, ctx.signal))) {
      if (lastError !== undefined) throw lastError;
      return output;
    }
  }
}

/**
 * A tolerance check where it stands: in the hypothesis an error (a regex on a dict, a range on null) escapes and
 * the run aborts, as in chaoslib/hypothesis.py; in the method, where Chaos Toolkit never reads tolerances, the
 * same error is only "not met".
 */
async function evaluateIn(ctx: RunContext, tolerance: Tolerance, output: unknown, phase: Phase) {
  if (phase !== 'method') return evaluate(ctx, tolerance, output);
  try {
    return await evaluate(ctx, tolerance, output);
  } catch (err) {
    if (!isTurbulenceError(err, ErrorCodes.EXPERIMENT_INVALID)) throw err;
    return { met: false, reason: errorMessage(err) };
  }
}

/** Checks a tolerance; a probe-as-tolerance runs through the same provider machinery. */
export function evaluate(ctx: RunContext, tolerance: Tolerance, output: unknown) {
  return checkTolerance(tolerance, output, {
    substitute: (v: unknown) => subst(ctx, v),
    runProbe: (probe: ProbeTolerance) => callProvider(ctx, probe),
  });
}

async function pause(ctx: RunContext, activity: Activity, when: 'before' | 'after', enabled: boolean, phase: Phase) {
  const seconds = pauseSeconds(ctx, activity.pauses?.[when]);
  if (seconds <= 0 || !enabled || ctx.signal.aborted) return;
  ctx.events.emit({ type: 'activity.paused', phase, name: activity.name, when, seconds });
  await sleep(seconds * 1000, ctx.signal);
}
