/**
 * A throwaway self-signed certificate for 127.0.0.1 (openssl, RSA 2048, one day), for tests that need a TLS
 * server a client must be told to trust (or not).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `key.pem` and `cert.pem` into `dir` (a folder of the test's own) and returns their contents. */
export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}
