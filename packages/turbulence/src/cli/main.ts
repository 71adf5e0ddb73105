/**
 * `turbulence` command-line entry. Parses flags with commander, calls the library, maps errors to exit codes:
 * 0 ok, 1 deviated/failed/aborted, 2 invalid input or usage, 130 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { ExitCodes, exitCodeFor, isTurbulenceError, errorMessage } from '../core/errors.js';
import { commands } from './commands/index.js';
import { VERSION } from '../version.js';

/** Builds the program with every command registered. */
export async function buildProgram(): Promise<Command> {
  const program = new Command('turbulence')
    .description(
      'Chaos engineering for TypeScript and Node.js: run Chaos Toolkit experiments, inject faults into processes, ' +
        'networks and proxies, and always put things back.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const load of commands) {
    const mod = await load();
    mod.register(program);
  }
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCodes.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? ExitCodes.OK : ExitCodes.INVALID;
    }
    if (isTurbulenceError(err)) {
      process.stderr.write(`turbulence: ${err.format()}\n`);
      for (const d of err.details) process.stderr.write(`  ${d.format().replace(/\n/g, '\n  ')}\n`);
    } else {
      process.stderr.write(`turbulence: ${errorMessage(err)}\n`);
      if (process.env.TURBULENCE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    }
    return exitCodeFor(err);
  }
}
