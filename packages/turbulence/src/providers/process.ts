/**
 * The `process` provider, as Chaos Toolkit's (§7.3 of the format spec): runs a program, output
 * `{ status, stdout, stderr }`. A non-zero exit is an answer, not an error.
 *
 *   arguments: "a | b"          ─▶ /bin/sh -c "'<resolved path>' a | b"   (globs, pipes, quoting)
 *   arguments: ["-c", 1, null]  ─▶ argv [path, "-c", "1"]                   (null and "" dropped, no shell)
 *   arguments: {"-n": 3}        ─▶ argv [path, "-n", "3"]                   (deprecated)
 *
 * The program runs in its own process group, so a timeout or an abort kills it and everything it started.
 * Ours: `env` (added to the runner's environment) and `cwd` (relative to the experiment's directory).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { constants as osConstants, homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { signalGroup } from '../os/signals.js';
import type { ProcessProvider } from '../experiment/types.js';
import { processSchema } from './schemas.js';
import { pyStr } from './pystr.js';
import { activityFailed, type ProviderContext, type ProviderDefinition, type ProviderProblem } from './types.js';

/** Output of the `process` provider. */
export interface ProcessOutput {
  status: number;
  stdout: string;
  stderr: string;
}

/** Why a path could not be resolved: it does not exist, or it is not executable by us. */
export type WhichResult = { ok: true; path: string } | { ok: false; reason: 'missing' | 'permission' };

async function executable(file: string): Promise<'ok' | 'missing' | 'permission'> {
  try {
    if (!(await stat(file)).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  try {
    await access(file, constants.X_OK);
    return 'ok';
  } catch {
    return 'permission';
  }
}

/**
 * Resolves a program like `which`, after `~` expansion: a path with a `/` is taken as is (relative to the
 * current directory), a bare name is searched in `PATH`.
 *
 * @example
 * await which('sh'); // { ok: true, path: '/usr/bin/sh' }
 */
export async function which(program: string, env: NodeJS.ProcessEnv = process.env): Promise<WhichResult> {
  const expanded = program === '~' || program.startsWith('~/') ? join(homedir(), program.slice(1)) : program;
  if (expanded.includes('/')) {
    const file = isAbsolute(expanded) ? expanded : resolve(expanded);
    const state = await executable(file);
    return state === 'ok' ? { ok: true, path: file } : { ok: false, reason: state };
  }
  let denied = false;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const state = await executable(join(dir, expanded));
    if (state === 'ok') return { ok: true, path: join(dir, expanded) };
    denied ||= state === 'permission';
  }
  return { ok: false, reason: denied ? 'permission' : 'missing' };
}

/** The argv (after the program) for list and object arguments: items stringified, `null` and `""` dropped. */
export function argvOf(args: unknown[] | Record<string, unknown>): string[] {
  const items = Array.isArray(args) ? args : Object.entries(args).flat();
  return items.filter((a) => a !== null && a !== undefined && a !== '').map(pyStr);
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function problemMessage(path: string, reason: 'missing' | 'permission'): string {
  return reason === 'missing' ? `path '${path}' cannot be found` : `no access permission to '${path}'`;
}

/**
 * Runs the program and collects its exit status and output.
 *
 * @example
 * await runProcess({ type: 'process', path: 'echo', arguments: ['hi'] }, ctx); // { status: 0, stdout: 'hi\n', stderr: '' }
 */
export async function runProcess(
  p: ProcessProvider,
  ctx: Pick<ProviderContext, 'signal' | 'baseDir'>,
): Promise<ProcessOutput> {
  const found = await which(p.path);
  if (!found.ok) {
    // chaoslib/provider/process.py runs `shutil.which(path)` -> None, and subprocess raises TypeError: not an
    // ActivityFailed, so the method aborts.
    throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, problemMessage(p.path, found.reason), {
      hint: 'install the program or fix provider.path (turbulence validate checks it before the run)',
    });
  }
  const [file, argv] =
    typeof p.arguments === 'string'
      ? ['/bin/sh', ['-c', `${shellQuote(found.path)} ${p.arguments}`]]
      : [found.path, p.arguments === undefined ? [] : argvOf(p.arguments)];
  const cwd = p.cwd === undefined ? undefined : resolve(ctx.baseDir, p.cwd);
  return spawnCollect(file, argv, { cwd, env: { ...process.env, ...p.env } }, p.timeout, ctx.signal);
}

function spawnCollect(
  file: string,
  argv: string[],
  options: { cwd: string | undefined; env: NodeJS.ProcessEnv },
  timeoutS: number | undefined,
  signal: AbortSignal,
): Promise<ProcessOutput> {
  return new Promise((resolvePromise, reject) => {
    if (signal.aborted) return reject(activityFailed('process activity was aborted'));
    const child = spawn(file, argv, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: Error | undefined;
    const killGroup = (why: Error): void => {
      failure ??= why;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    };
    const onAbort = (): void => killGroup(activityFailed('process activity was aborted'));
    const timer =
      timeoutS === undefined
        ? undefined
        : setTimeout(() => killGroup(activityFailed('process activity took too long to complete')), timeoutS * 1000);
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const finish = (result: Error | ProcessOutput): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolvePromise(result);
    };
    child.once('error', (e) => finish(activityFailed(`could not start ${file}: ${errorMessage(e)}`, e)));
    child.once('close', (code, sig) => {
      if (failure) return finish(failure);
      const decode = (chunks: Buffer[]): string => new TextDecoder().decode(Buffer.concat(chunks));
      finish({ status: code ?? -signalNumber(sig), stdout: decode(out), stderr: decode(err) });
    });
  });
}

/** Killed by a signal: Python's convention (status `-N`), which Chaos Toolkit journals show. */
function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === null ? 0 : osConstants.signals[sig];
}

async function validateProcess(p: ProcessProvider): Promise<ProviderProblem[]> {
  const found = await which(p.path);
  if (found.ok) return [];
  return [
    {
      path: ['path'],
      message: problemMessage(p.path, found.reason),
      hint:
        found.reason === 'missing'
          ? 'install the program, give its absolute path, or add its directory to PATH'
          : 'make the file executable (chmod +x)',
    },
  ];
}

/** The `process` provider definition. */
export const processProvider: ProviderDefinition<ProcessProvider> = {
  type: 'process',
  schema: processSchema,
  substitute: ['arguments', 'timeout', 'env', 'cwd'],
  run: runProcess,
  validate: validateProcess,
  describe: (p) =>
    `${p.path}${typeof p.arguments === 'string' ? ` ${p.arguments}` : p.arguments ? ` ${argvOf(p.arguments).join(' ')}` : ''}`,
};
