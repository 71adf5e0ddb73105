/**
 * Certificates for the simple-walkthrough stand-ins, made with the `openssl` command in a test's workspace:
 *
 *   ca.pem            a throw-away CA the sunset stand-in trusts
 *   key.pem           one server key for both certificates (the tutorial swaps only cert.pem)
 *   valid-cert.pem    localhost / 127.0.0.1, valid for 2 days
 *   expired-cert.pem  the same names, expired yesterday (`-days -1`)
 *   cert.pem          a copy of valid-cert.pem, what the services serve at start
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../../support/system.js';

/** Why certificates cannot be made here (no `openssl`), or undefined when they can. */
export function opensslMissing(): string | undefined {
  return which('openssl') ? undefined : 'needs `openssl` (Debian: apt-get install openssl)';
}

/** Writes the files listed above into `dir`. */
export function makeWalkthroughCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=conformance-ca');
  ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.pem');
  ssl('req', '-new', '-key', 'key.pem', '-subj', '/CN=localhost', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  const issue = (serial: string, days: string, out: string) =>
    ssl(
      ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-set_serial', serial],
      ...['-days', days, '-extfile', 'san.cnf', '-out', out],
    );
  issue('1', '2', 'valid-cert.pem');
  issue('2', '-1', 'expired-cert.pem');
  copyFileSync(join(dir, 'valid-cert.pem'), join(dir, 'cert.pem'));
}
