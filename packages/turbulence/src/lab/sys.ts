/**
 * Running system commands (`ip`, `nft`, `tc`) on this machine or inside a network namespace.
 * Failures become `TurbulenceError`s that carry the command and its stderr.
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

/** Names of the network namespaces that exist (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list'], { allowFail: true });
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.length > 0);
}

/** PIDs of the processes whose network namespace is `netns`. */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await run(['ip', 'netns', 'pids', netns], { allowFail: true });
  return stdout
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until every PID has exited or `ms` elapsed; returns the PIDs still alive. */
export async function waitExit(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(alive);
  }
  return left;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL whatever is left and wait for it. */
export async function terminate(pids: readonly number[], graceMs: number): Promise<void> {
  for (const p of pids) signal(p, 'SIGTERM');
  const left = await waitExit(pids, graceMs);
  for (const p of left) signal(p, 'SIGKILL');
  await waitExit(left, 2000);
}
