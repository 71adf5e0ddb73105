/**
 * @module Executes a Pumba plan (`plan.ts`) through the fault manager: the same ledger, guardian, blast radius and
 * `recover` as every turbulence fault. Once, or every `--interval` until Ctrl-C; each tick injects, holds for the
 * duration (the manager reverts at expiry), and goes on to the next. Ctrl-C reverts whatever is in effect.
 *
 *   tick ─▶ manager.inject(plan.fault) ─▶ expiry → revert ─▶ (interval) ─▶ tick ...      Ctrl-C ─▶ revertAll
 */
import { ErrorCodes, ExitCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import { Rng, newSeed } from '../../core/rng.js';
import { FaultManager } from '../../faults/manager.js';
import { trapInterrupts } from '../signals.js';
import type { PumbaPlan } from './plan.js';

/** Where execution writes (the CLI passes stdout/stderr writers). */
export interface PumbaOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Pumba's (logrus) levels, least severe first. */
export const PUMBA_LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'fatal', 'panic'] as const;
type PumbaLevel = (typeof PUMBA_LOG_LEVELS)[number];

/**
 * Lines at `--log-level` and above (Pumba's default: warning, so a run that goes well prints nothing), as text or,
 * with `--json`, as logrus-style JSON lines `{"level":"info","msg":"...","time":"..."}`. Info and debug go to
 * stdout, the rest to stderr.
 */
export function pumbaLogger(plan: Pick<PumbaPlan, 'logLevel' | 'json'>, io: PumbaOutput) {
  const min = PUMBA_LOG_LEVELS.indexOf(plan.logLevel as PumbaLevel);
  return (level: PumbaLevel, msg: string): void => {
    if (PUMBA_LOG_LEVELS.indexOf(level) < (min < 0 ? 2 : min)) return;
    const line = plan.json ? JSON.stringify({ level, msg, time: new Date().toISOString() }) : msg;
    (level === 'debug' || level === 'info' ? io.out : io.err)(line);
  };
}

/** Waits `ms`, or less when `signal` aborts. */
const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Runs the plan; resolves with the exit code. */
export async function executePumbaPlan(plan: PumbaPlan, io: PumbaOutput, seed = newSeed()): Promise<number> {
  const fault = plan.fault;
  if (!fault) return ExitCodes.OK;
  if (plan.unsupported.length > 0) {
    throw new TurbulenceError(
      ErrorCodes.USAGE,
      `turbulence cannot run this the way Pumba does: ${plan.unsupported.join('; ')}`,
      {
        hint: '--dry-run shows the plan; drop the flags named above, or use `turbulence fault inject` directly',
      },
    );
  }
  const interrupts = trapInterrupts();
  const manager = new FaultManager({ rng: new Rng(seed), signal: interrupts.soft });
  const log = pumbaLogger(plan, io);
  manager.on('fault-reverted', (f) => log('info', `reverted ${f.kind} on ${f.target.name} (${f.reason})`));
  manager.on('fault-failed', (f) => log('error', `failed to ${f.phase} ${f.kind}: ${f.error.format()}`));
  let failed = false;
  try {
    for (;;) {
      const started = Date.now();
      try {
        const faults = await manager.inject(fault, { activity: `turbulence docker ${plan.command}` });
        for (const f of faults) log('info', `injected ${f.kind} on ${f.target.name}  id ${f.id}`);
        if (plan.keep) {
          await manager.detach();
          log(
            'warning',
            'left in effect (Pumba stops without --restart): `turbulence fault revert ID` starts it again',
          );
        } else if (fault.durationMs === undefined) {
          await manager.revertAll('done'); // a kill, rm or restart: nothing stays in effect
        } else {
          log('info', `in effect for ${formatDuration(fault.durationMs)} (Ctrl-C reverts now)`);
          await waitUntilReverted(manager, interrupts.soft);
        }
      } catch (err) {
        if (interrupts.fired) break;
        log('error', `turbulence docker ${plan.command}: ${errorMessage(err)}`);
        if (!plan.skipError || plan.intervalMs === undefined) throw err;
        failed = true;
      }
      if (plan.intervalMs === undefined || interrupts.fired) break;
      await wait(Math.max(0, plan.intervalMs - (Date.now() - started)), interrupts.soft);
      if (interrupts.fired) break;
    }
  } finally {
    const failures = await manager.revertAll(interrupts.fired ? 'interrupt' : 'done');
    manager.dispose();
    interrupts.dispose();
    if (failures.length > 0) failed = true;
  }
  if (interrupts.fired) return ExitCodes.INTERRUPTED;
  return failed ? ExitCodes.FAILED : ExitCodes.OK;
}

function waitUntilReverted(manager: FaultManager, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const check = () => manager.active().length === 0 && resolve();
    manager.on('fault-reverted', check);
    manager.on('fault-failed', (f) => f.phase === 'revert' && resolve());
    signal.addEventListener('abort', () => resolve(), { once: true });
    check();
  });
}
