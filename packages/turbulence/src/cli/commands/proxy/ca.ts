/** `turbulence proxy ca [--out FILE]`: prints or writes the proxies' test CA certificate (PEM). */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';

/** Registers `proxy ca`. */
export function registerCa(proxy: Command): void {
  proxy
    .command('ca')
    .description(
      'print the test CA certificate that TLS-terminating proxies use (created on first use in the turbulence home); ' +
        'give it to the clients under test, e.g. curl --cacert FILE or NODE_EXTRA_CA_CERTS=FILE',
    )
    .option('--out <file>', 'write the CA certificate (PEM) to FILE instead of printing it')
    .action(async (flags: { out?: string }) => {
      // The CA code (x509) loads only for this command, not with every `proxy` subcommand (e.g. `proxy serve`).
      const { caDir, testCa } = await import('../../../proxy/tls/ca.js');
      const ca = await testCa();
      if (!flags.out) return void process.stdout.write(ca.cert.endsWith('\n') ? ca.cert : `${ca.cert}\n`);
      try {
        await writeFile(flags.out, ca.cert.endsWith('\n') ? ca.cert : `${ca.cert}\n`, { mode: 0o644 });
      } catch (err) {
        throw new TurbulenceError(ErrorCodes.USAGE, `cannot write ${flags.out}: ${(err as Error).message}`, {
          hint: 'pass a writable path to --out',
        });
      }
      console.log(`Wrote the test CA certificate to ${flags.out} (its key stays in ${caDir()})`);
    });
}
