/**
 * TLS termination in front of a proxy (tcp or http): raw TCP in, a per-connection decision on the TLS toxics,
 * then a real handshake (or a real failure), and the decrypted socket handed to the proxy's usual path.
 *
 * ```
 *   client ──TCP──▶ accept ──draw per TLS toxic──▶ none:      TLSSocket(test-CA leaf) ──secure──▶ proxy path
 *                                                 ├ expired / wrong_host / untrusted: TLSSocket(bad leaf)
 *                                                 ├ version:   TLSSocket(TLSv1-only context)
 *                                                 ├ timeout:   read the ClientHello, never answer
 *                                                 └ reset:     RST when the ClientHello arrives
 * ```
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type DetailedPeerCertificate, type SecureContext } from 'node:tls';
import { deriveSeed } from '../../core/rng.js';
import { isSelected, unitDraw } from '../random.js';
import type { ToxicRecord } from '../toxic-record.js';
import { issueLeaf, newAuthority, testCa } from './ca.js';
import type { TlsOptions } from './options.js';
import type { TlsFault, TlsToxicType } from './toxics.js';

/** A handshake that has not completed after this long is dropped. */
const HANDSHAKE_MS = 10_000;

type Which = 'good' | 'expired' | 'wrong_host' | 'untrusted';

/** The TLS front end of one proxy. */
export class TlsFront {
  private readonly contexts: Record<Which, SecureContext>;
  private readonly versions = new Map<string, SecureContext>();
  private readonly pair: { cert: string; key: string };
  private readonly alpn: string[];
  /** Clients refused because their certificate did not verify (`clientAuth: require`). */
  refusedClients = 0;
  /** Connections a TLS toxic was applied to, by toxic name. */
  readonly faults = new Map<string, number>();

  private readonly clientAuth: TlsOptions['clientAuth'];
  private readonly clientCas: X509Certificate[];

  private constructor(
    contexts: Record<Which, SecureContext>,
    pair: { cert: string; key: string },
    alpn: string[],
    clientAuth: TlsOptions['clientAuth'],
    clientCa: string | undefined,
  ) {
    this.clientAuth = clientAuth;
    this.clientCas = (clientCa ?? '')
      .split(/(?<=-----END CERTIFICATE-----)/)
      .filter((pem) => pem.includes('-----BEGIN CERTIFICATE-----'))
      .map((pem) => new X509Certificate(pem.trim()));
    this.contexts = contexts;
    this.pair = pair;
    this.alpn = alpn;
  }

  /** Builds the certificates: a leaf from the test CA for `names` (or the given cert), and the faulty ones. */
  static async create(options: TlsOptions, names: readonly string[], alpn: string[]): Promise<TlsFront> {
    const all = [...new Set([...names, 'localhost', '127.0.0.1', '::1'])];
    const ca = await testCa();
    const stranger = await newAuthority('unknown CA');
    const day = 86_400_000;
    const [good, expired, wrongHost, untrusted] = await Promise.all([
      options.cert && options.key ? { cert: options.cert, key: options.key } : issueLeaf(ca, { names: all }),
      issueLeaf(ca, {
        names: all,
        notBefore: new Date(Date.now() - 30 * day),
        notAfter: new Date(Date.now() - day),
      }),
      issueLeaf(ca, { names: ['wrong.host.invalid'] }),
      issueLeaf(stranger, { names: all }),
    ]);
    // The unknown CA stays unknown: send the leaf alone, so the client cannot find its issuer.
    untrusted.cert = untrusted.cert.slice(0, untrusted.cert.indexOf('-----END CERTIFICATE-----') + 25);
    // mTLS: every context asks for (or requires) a client certificate from `clientCa` (default the test CA).
    const clientCa = options.clientAuth === 'none' ? undefined : (options.clientCa ?? ca.cert);
    const ctx = (pair: { cert: string; key: string }) =>
      createSecureContext({ ...pair, ...(clientCa ? { ca: clientCa } : {}) });
    return new TlsFront(
      { good: ctx(good), expired: ctx(expired), wrong_host: ctx(wrongHost), untrusted: ctx(untrusted) },
      good,
      alpn,
      options.clientAuth,
      clientCa,
    );
  }

  /**
   * Handles one accepted TCP socket: applies the first selected TLS toxic, or completes a clean handshake and
   * calls `deliver` with the decrypted socket.
   */
  accept(socket: Socket, seed: number, records: readonly ToxicRecord[], deliver: (tls: TLSSocket) => void): void {
    socket.on('error', () => socket.destroy());
    let fault: TlsFault | undefined;
    for (const r of records) {
      const type = r.type as TlsToxicType<unknown>;
      if (type.protocol !== 'tls' || !isSelected(r.toxicity, unitDraw(seed, r.name))) continue;
      fault = type.fault(r.attributes);
      this.faults.set(r.name, (this.faults.get(r.name) ?? 0) + 1);
      break;
    }
    if (fault?.kind === 'reset') {
      socket.once('data', () => socket.resetAndDestroy());
      return;
    }
    if (fault?.kind === 'timeout') {
      socket.resume();
      if (fault.ms > 0) {
        const timer = setTimeout(() => socket.destroy(), fault.ms);
        socket.once('close', () => clearTimeout(timer));
      }
      return;
    }
    let context = this.contexts.good;
    if (fault?.kind === 'certificate') context = this.contexts[fault.which];
    if (fault?.kind === 'version') context = this.versionContext(fault.version);
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      ALPNProtocols: this.alpn,
      requestCert: this.clientAuth !== 'none',
      rejectUnauthorized: this.clientAuth === 'require',
    });
    const timer = setTimeout(() => tls.destroy(), HANDSHAKE_MS);
    tls.on('error', () => tls.destroy());
    tls.once('close', () => clearTimeout(timer));
    tls.once('secure', () => {
      clearTimeout(timer);
      // A bare server TLSSocket does not check the client certificate itself (a tls.Server would): a missing
      // one already failed the handshake (require), one that does not verify against clientCa is refused here.
      if (this.clientAuth !== 'none') tls.authorized = verifiedBy(tls, this.clientCas);
      if (this.clientAuth === 'require' && !tls.authorized) {
        this.refusedClients++;
        return void tls.destroy();
      }
      deliver(tls);
    });
  }

  private versionContext(version: 'TLSv1' | 'TLSv1.1'): SecureContext {
    let context = this.versions.get(version);
    if (!context) {
      context = createSecureContext({
        ...this.pair,
        minVersion: version,
        maxVersion: version,
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      this.versions.set(version, context);
    }
    return context;
  }
}

/**
 * Whether the client's certificate chain leads to one of `cas`: each certificate in its validity period and
 * signed by the next (the chain the client sent), the last one signed by a trusted CA.
 */
function verifiedBy(tls: TLSSocket, cas: readonly X509Certificate[]): boolean {
  const now = Date.now();
  let current: DetailedPeerCertificate | undefined = tls.getPeerCertificate(true);
  for (let depth = 0; current?.raw && depth < 8; depth++) {
    const cert = new X509Certificate(current.raw);
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) return false;
    if (cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return true;
    const next: DetailedPeerCertificate | undefined = current.issuerCertificate;
    if (!next?.raw || next === current) return false;
    const issuer = new X509Certificate(next.raw);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    current = next;
  }
  return false;
}

/** Per-connection seed of the TLS decisions. */
export function tlsSeed(proxySeed: number, n: number): number {
  return deriveSeed(proxySeed, `tls:${n}`);
}
