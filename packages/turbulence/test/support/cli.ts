/**
 * The one way tests run the turbulence CLI: a real child process started from the TypeScript sources through
 * tsx (`cli-entry.ts`), with its own environment, output captured, and a hard timeout.
 *
 * Each start loads the sources through tsx: about 2 s on an idle two-core machine, up to ~8 s when it is loaded.
 * A test that runs several commands in sequence takes its vitest timeout from {@link cliTimeout}.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/** The CLI entry point (TypeScript, run with `node --import tsx`). */
export const CLI_ENTRY = join(import.meta.dirname, 'cli-entry.ts');

/** The shipped launcher (`bin/turbulence.js` → `dist/`), for tests of the built package. */
export const CLI_BIN = join(import.meta.dirname, '..', '..', 'bin', 'turbulence.js');

/**
 * The argv that starts the CLI with `args`: from the sources (`[execPath, '--import', 'tsx', CLI_ENTRY, ...args]`),
 * or with `built` the shipped launcher (`[execPath, CLI_BIN, ...args]`, needs `npm run build`).
 */
export const cliArgv = (args: readonly string[], built = false): string[] =>
  built ? [process.execPath, CLI_BIN, ...args] : [process.execPath, '--import', 'tsx', CLI_ENTRY, ...args];

/** Budget of one CLI command on a loaded two-core machine (tsx load, the command itself), ms. */
export const CLI_COMMAND_MS = 15_000;

/**
 * A vitest timeout for a test that runs `commands` CLI commands one after another plus `extraMs` of its own
 * work: 10 s + 15 s per command. The lab DNS test (8 commands, ~28 s under load) gets 130 s.
 *
 * @example
 * it('brings a lab up and down', { timeout: cliTimeout(3) }, async () => { ... });
 */
export const cliTimeout = (commands: number, extraMs = 0): number => 10_000 + commands * CLI_COMMAND_MS + extraMs;

/** Options of {@link spawnCli} and {@link runCli}. */
export interface CliOptions {
  /** Environment of the child (default: this process's, so TURBULENCE_HOME set by a test carries over). */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the child after this long, ms (default {@link CLI_COMMAND_MS} × 4 for runCli, none for spawnCli). */
  timeoutMs?: number;
  cwd?: string;
  /** Run the built launcher (`bin/turbulence.js`) instead of the sources: for tests of what ships. */
  built?: boolean;
}

/** A CLI process still running. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** stdout and stderr interleaved as they arrived. */
  out: () => string;
  /** Resolves with the exit code (1 when killed by a signal). */
  exit: Promise<number>;
}

/** The result of a CLI command run to completion. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  out: string;
}

/**
 * Starts the CLI and returns at once (for commands that run until a signal: `fault inject`, `dns serve`...).
 * The caller kills it by PID (`running.child.kill(...)`).
 *
 * @example
 * const serve = spawnCli(['proxy', 'serve', '--port', '0']);
 * await eventually(() => /listening/.test(serve.stdout()), 20_000);
 */
export function spawnCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const [node, ...argv] = cliArgv(args, options.built);
  const child = spawn(node!, argv, { env: options.env ?? process.env, cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  let out = '';
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (out += d.toString())));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), (out += d.toString())));
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exit = new Promise<number>((resolve) =>
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve(code ?? 1);
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, out: () => out, exit };
}

/**
 * Runs one CLI command to completion.
 *
 * @example
 * const r = await runCli(['recover'], { env: { ...process.env, TURBULENCE_HOME: home } });
 * expect(r.code).toBe(0);
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const running = spawnCli(args, { ...options, timeoutMs: options.timeoutMs ?? 4 * CLI_COMMAND_MS });
  const code = await running.exit;
  return { code, stdout: running.stdout(), stderr: running.stderr(), out: running.out() };
}

/** The CLI processes one test file starts ({@link cliProcesses}). */
export interface CliProcesses {
  /** {@link spawnCli} with the file's options (these `options` win), remembered for {@link CliProcesses.killAll}. */
  start(args: readonly string[], options?: CliOptions): RunningCli;
  /** SIGKILLs every process started so far that is still running (call it in `afterEach`). */
  killAll(): void;
}

/**
 * Tracks the CLI processes a test file starts, so `afterEach` kills the ones a failed test left running.
 *
 * @example
 * const cli = cliProcesses();
 * afterEach(() => cli.killAll());
 * const runner = cli.start(['fault', 'inject', 'process.stop', '-t', `pid=${pid}`, '-d', '3s']);
 */
export function cliProcesses(defaults: CliOptions = {}): CliProcesses {
  const children: ChildProcessWithoutNullStreams[] = [];
  return {
    start(args, options = {}) {
      const running = spawnCli(args, { ...defaults, ...options });
      children.push(running.child);
      return running;
    },
    killAll() {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}
