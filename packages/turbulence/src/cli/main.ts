/**
 * `turbulence` command-line entry. Parses flags with commander, calls the library, maps errors to exit codes:
 * 0 ok, 1 deviated/failed/aborted, 2 invalid input or usage, 130 interrupted.
 */
import { Command, CommanderError, Help } from 'commander';
import { ExitCodes, exitCodeFor, isTurbulenceError, errorMessage } from '../core/errors.js';
import { commandNamed, commands } from './commands/index.js';
import { VERSION } from '../version.js';

/**
 * Builds the program. Only the command `argv` names (`process.argv` form) is loaded and registered in full; every
 * other command is a placeholder with its name and help line, so `turbulence --help` imports no command module.
 * Without `argv`, every command is loaded.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const wanted = argv === undefined ? undefined : commandNamed(argv.slice(2));
  const terms = new Map(commands.map((c) => [c.name, c.term]));
  const help = new Help();
  const program = new Command('turbulence')
    .description(
      'Chaos engineering for TypeScript and Node.js: run Chaos Toolkit experiments, inject faults into processes, ' +
        'networks and proxies, and always put things back.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) })
    .exitOverride();
  // `run`, `demo`, `fault inject` and `monkey run` record their events where a dashboard on this home sees them.
  let session: { close(): void } | undefined;
  program.hook('preAction', async (_program, action) => {
    const path = [action.parent?.parent ? action.parent.name() : '', action.name()].join(' ').trim();
    const sessions = path === 'run' || path === 'demo' || path.endsWith(' run') || path === 'fault inject';
    if (!sessions) return;
    const { recordSession, sessionFor } = await import('../ui/sessions.js');
    const wanted = sessionFor(path, action.args, action.opts());
    try {
      if (wanted) session = recordSession(wanted);
    } catch {
      // an unwritable home costs the dashboard's view of this process, never the command
    }
  });
  program.hook('postAction', () => session?.close());
  for (const entry of commands) {
    if (argv === undefined || entry.name === wanted) (await entry.load()).register(program);
    else program.addCommand(new Command(entry.name).description(entry.summary));
  }
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
