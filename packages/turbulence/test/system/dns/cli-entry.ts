/**
 * Runs only the `dns` command of the CLI, from source, with the same error output and exit codes as
 * `src/cli/main.ts` (the tests spawn it as a real process through tsx).
 */
import { Command } from 'commander';
import { register } from '../../../src/cli/commands/dns.js';
import { exitCodeFor, isTurbulenceError } from '../../../src/core/errors.js';

const program = new Command('turbulence');
register(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`turbulence: ${isTurbulenceError(err) ? err.format() : String(err)}\n`);
  process.exitCode = exitCodeFor(err);
}
