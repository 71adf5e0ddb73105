/**
 * A throwaway self-signed certificate for the fake (ECDSA P-256, its own CA, SANs 127.0.0.1, ::1, localhost and
 * the bound host), made with the `openssl` CLI in a private temporary directory. The kubeconfig carries it as
 * `certificate-authority-data`. TLS is not optional: kubectl (client-go) does not send a bearer token over plain
 * HTTP.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/os/exec.js';

/** PEM certificate and key. */
export interface Certificate {
  cert: string;
  key: string;
}

/** Creates a certificate valid for two days, for `host` and the loopback names. */
export async function selfSigned(host: string): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-fake-tls-'));
  try {
    const sans = ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost'];
    const mine = /^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`;
    if (!sans.includes(mine) && host !== '0.0.0.0' && host !== '::') sans.push(mine);
    // prettier-ignore
    await run([
      'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=kube-fake',
      '-addext', `subjectAltName=${sans.join(',')}`, '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    return { cert: await readFile(join(dir, 'cert.pem'), 'utf8'), key: await readFile(join(dir, 'key.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
