/**
 * @module Running system commands (`ip`, `nft`, `tc`, ...) on this machine or inside a network namespace, and
 * collecting their output. Failures become `TurbulenceError`s that carry the command and its stderr. Nothing here
 * knows about faults: callers pick the error code.
 */
import { execFile } from 'node:child_process';
import { ErrorCodes, TurbulenceError, type ErrorCode } from '../core/errors.js';

/** Result of a command that ran to completion. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Network namespace to run in (`ip netns exec NS ...`); undefined = this namespace. */
  netns?: string | undefined;
  /** Do not throw on a non-zero exit. */
  allowFail?: boolean;
  /** Code of the error thrown on failure. */
  code?: ErrorCode;
  timeoutMs?: number;
}

/** argv that runs `argv` inside `netns` (unchanged when netns is undefined). */
export function inNetns(netns: string | undefined, argv: readonly string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}

/**
 * Runs a command and collects its output.
 *
 * @example
 * await run(['nft', 'list', 'tables'], { netns: 'tb-lab-n1' });
 */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const full = inNetns(options.netns, argv);
  const [cmd, ...args] = full as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (code !== 0 && !options.allowFail) {
          const msg = `\`${full.join(' ')}\` failed: ${(stderr || err?.message || '').trim().split('\n')[0]}`;
          reject(new TurbulenceError(options.code ?? ErrorCodes.INTERNAL, msg, { cause: err }));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
