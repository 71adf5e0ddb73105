/**
 * The test certificate authority of turbulence's proxies, and the leaf certificates it issues, made with
 * `@peculiar/x509` on Node's webcrypto (ECDSA P-256): no hand-written ASN.1.
 *
 *   ${TURBULENCE_HOME:-~/.turbulence}/proxy-ca/ca.pem   the CA certificate (give it to clients: `turbulence proxy ca --out FILE`)
 *   ${TURBULENCE_HOME:-~/.turbulence}/proxy-ca/ca.key   its private key, mode 0600 (the directory 0700)
 *
 * The CA is created on first use and kept, so a client trusts it once. Leaves are made in memory per proxy.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { writeFileAtomic } from '../../os/atomic.js';
import { turbulenceHome } from '../../os/home.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A certificate and its private key, as PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** A CA that can issue leaves. */
export interface Authority extends KeyPair {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
}

/** Where the CA lives: `<home>/proxy-ca`. */
export function caDir(home: string = turbulenceHome()): string {
  return join(home, 'proxy-ca');
}

const loaded = new Map<string, Promise<Authority>>();

/**
 * The turbulence test CA of `home`: read from disk, or created (and saved, key 0600) on first use.
 *
 * @example
 * const ca = await testCa();
 * await writeFile('ca.pem', ca.cert); // trust this in the client under test
 */
export function testCa(home: string = turbulenceHome()): Promise<Authority> {
  const dir = caDir(home);
  let ca = loaded.get(dir);
  if (!ca) {
    ca = loadOrCreate(dir);
    loaded.set(dir, ca);
    ca.catch(() => loaded.delete(dir));
  }
  return ca;
}

async function loadOrCreate(dir: string): Promise<Authority> {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca.key');
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return await authorityOf(cert, key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const ca = await newAuthority('turbulence test CA');
  await writeFileAtomic(keyPath, ca.key, 0o600);
  await writeFileAtomic(certPath, ca.cert, 0o644);
  return ca;
}

async function authorityOf(cert: string, key: string): Promise<Authority> {
  const certificate = new x509.X509Certificate(cert);
  const der = x509.PemConverter.decodeFirst(key);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  return { cert, key, certificate, privateKey: privateKey };
}

/** A fresh CA (in memory); `testCa` persists one, `tls_untrusted` uses a throwaway one. */
export async function newAuthority(name: string, days = 3650): Promise<Authority> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}, O=turbulence`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + days * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: certificate.toString('pem'),
    key: await pemKey(keys.privateKey),
    certificate,
    privateKey: keys.privateKey,
  };
}

/** Options of a leaf. */
export interface LeafOptions {
  /** DNS names and IP addresses of the subject alternative names. */
  names: readonly string[];
  /** Validity: default from yesterday to in 825 days. */
  notBefore?: Date;
  notAfter?: Date;
  /** What the certificate is for (its extended key usage): `server` (default), `client` (mTLS) or both. */
  usage?: 'server' | 'client' | 'both';
}

/** A server (or client) certificate for `names`, signed by `ca`; `cert` holds the leaf then the CA (the chain). */
export async function issueLeaf(ca: Authority, options: LeafOptions): Promise<KeyPair> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const names = [...new Set(options.names)];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? 'localhost'}`,
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 825 * DAY),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(
        options.usage === 'client'
          ? [x509.ExtendedKeyUsage.clientAuth]
          : options.usage === 'both'
            ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
            : [x509.ExtendedKeyUsage.serverAuth],
      ),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  return { cert: `${certificate.toString('pem')}\n${ca.cert}`, key: await pemKey(keys.privateKey) };
}

async function pemKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
