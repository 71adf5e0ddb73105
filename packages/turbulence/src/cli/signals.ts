/**
 * The one interrupt helper of the CLI. Every command that runs for a while (run, demo, fault inject, lab up,
 * explore, proxy serve, dns serve) traps SIGINT/SIGTERM through {@link trapInterrupts}:
 *
 *   1st SIGINT/SIGTERM ──▶ soft: stop gracefully (revert every fault, run reverts, stop servers)
 *   2nd                 ──▶ hard: cut reverts short (what is left stays in the ledger for `turbulence recover`);
 *                           the process exits 130 after `hardExitMs` if the command has not finished by then
 */
import { ExitCodes } from '../core/errors.js';

/** What a command sees of the interrupts. */
export interface Interrupts {
  /** Aborted at the first signal (its reason is the signal name): stop gracefully. */
  readonly soft: AbortSignal;
  /** Aborted at the second signal: stop now. */
  readonly hard: AbortSignal;
  /** Resolves with the signal name at the first signal. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** True once the first signal came. */
  readonly fired: boolean;
  /** Removes the handlers (and cancels the forced exit). */
  dispose(): void;
}

export interface TrapOptions {
  /** Called at the first signal. */
  onSoft?: (signal: NodeJS.Signals) => void;
  /** Called at the second signal, before the forced exit is scheduled. */
  onHard?: (signal: NodeJS.Signals) => void;
  /** Milliseconds after the second signal before the process exits 130 anyway (default 3000). */
  hardExitMs?: number;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Installs SIGINT/SIGTERM handlers until disposed.
 *
 * @example
 * const interrupts = trapInterrupts();
 * try {
 *   await runExperiment(experiment, { signal: interrupts.soft, hardSignal: interrupts.hard });
 * } finally {
 *   interrupts.dispose();
 * }
 */
export function trapInterrupts(options: TrapOptions = {}): Interrupts {
  const soft = new AbortController();
  const hard = new AbortController();
  let resolveStopped: (s: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  let exitTimer: NodeJS.Timeout | undefined;

  const handler = (signal: NodeJS.Signals): void => {
    if (!soft.signal.aborted) {
      soft.abort(signal);
      resolveStopped(signal);
      options.onSoft?.(signal);
      return;
    }
    if (hard.signal.aborted) return;
    hard.abort(signal);
    options.onHard?.(signal);
    exitTimer = setTimeout(() => process.exit(ExitCodes.INTERRUPTED), options.hardExitMs ?? 3000);
    exitTimer.unref();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    soft: soft.signal,
    hard: hard.signal,
    stopped,
    get fired() {
      return soft.signal.aborted;
    },
    dispose() {
      for (const s of SIGNALS) process.off(s, handler);
      if (exitTimer) clearTimeout(exitTimer);
    },
  };
}

/**
 * Serves until the first SIGINT/SIGTERM, then runs `stop` (closing servers); a second signal while `stop` runs
 * exits 130 at once. For `proxy serve`, `dns serve`, `lab up --foreground`.
 *
 * @example
 * await serveUntilInterrupted(() => server.close());
 */
export async function serveUntilInterrupted(stop: () => Promise<unknown>): Promise<NodeJS.Signals> {
  const interrupts = trapInterrupts({ hardExitMs: 0 });
  try {
    const signal = await interrupts.stopped;
    await stop();
    return signal;
  } finally {
    interrupts.dispose();
  }
}
