/**
 * TLS fault toxics, for proxies that terminate TLS (`tls.terminate`). Each is decided once per connection (its
 * toxicity against the connection's seeded draw), before the handshake, and makes the client see a REAL TLS
 * failure: a certificate that is expired, for another host or from an unknown CA, a handshake that never
 * completes or is reset, or a server that only offers an old protocol version.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { passThrough } from '../toxics/pass-through.js';
import { int } from '../toxics/attributes.js';

/** What the TLS front end does with a connection a TLS toxic selected. */
export type TlsFault =
  | { kind: 'certificate'; which: 'expired' | 'wrong_host' | 'untrusted' }
  | { kind: 'timeout'; ms: number }
  | { kind: 'reset' }
  | { kind: 'version'; version: 'TLSv1' | 'TLSv1.1' };

/** A TLS toxic type: `fault` says what to do with a selected connection. */
export interface TlsToxicType<A> extends ToxicType<A> {
  readonly protocol: 'tls';
  fault(attributes: A): TlsFault;
}

function tlsToxic<A>(spec: Omit<TlsToxicType<A>, 'protocol' | 'create' | 'timeless'>): TlsToxicType<A> {
  return { ...spec, protocol: 'tls', timeless: true, create: (_a, out) => passThrough(out) };
}

const none = z.object({});

/** `tls_expired`: a certificate from the test CA for the right names, expired yesterday. */
export const tlsExpired = tlsToxic<Record<string, never>>({
  type: 'tls_expired',
  summary: 'serve an expired certificate (client: CERT_HAS_EXPIRED)',
  attributes: none,
  fault: () => ({ kind: 'certificate', which: 'expired' }),
});

/** `tls_wrong_host`: a valid certificate from the test CA, for `wrong.host.invalid` only. */
export const tlsWrongHost = tlsToxic<Record<string, never>>({
  type: 'tls_wrong_host',
  summary: 'serve a certificate for another host name (client: ERR_TLS_CERT_ALTNAME_INVALID)',
  attributes: none,
  fault: () => ({ kind: 'certificate', which: 'wrong_host' }),
});

/** `tls_untrusted`: a certificate for the right names from a CA nobody trusts. */
export const tlsUntrusted = tlsToxic<Record<string, never>>({
  type: 'tls_untrusted',
  summary: 'serve a certificate from an unknown CA (client: UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
  attributes: none,
  fault: () => ({ kind: 'certificate', which: 'untrusted' }),
});

/** `tls_handshake_timeout`: reads the ClientHello and never answers; closes after `timeout` ms (0 = never). */
export const tlsHandshakeTimeout = tlsToxic<{ timeout: number }>({
  type: 'tls_handshake_timeout',
  summary: 'never answer the TLS handshake; close after timeout ms (0: leave it to the client)',
  attributes: z.object({ timeout: int('timeout', 0) }),
  fault: (a) => ({ kind: 'timeout', ms: a.timeout }),
});

/** `tls_reset_handshake`: resets the connection (TCP RST) when the ClientHello arrives. */
export const tlsResetHandshake = tlsToxic<Record<string, never>>({
  type: 'tls_reset_handshake',
  summary: 'reset the connection when the ClientHello arrives (client: ECONNRESET)',
  attributes: none,
  fault: () => ({ kind: 'reset' }),
});

/** `tls_version`: the server offers only `version` (default TLSv1), which modern clients refuse. */
export const tlsVersion = tlsToxic<{ version: 'TLSv1' | 'TLSv1.1' }>({
  type: 'tls_version',
  summary: 'offer only an old protocol version, TLSv1 or TLSv1.1 (client: unsupported protocol)',
  attributes: z.object({
    version: z.enum(['TLSv1', 'TLSv1.1'], { error: 'version must be TLSv1 or TLSv1.1' }).default('TLSv1'),
  }),
  fault: (a) => ({ kind: 'version', version: a.version }),
});

/** Every TLS toxic. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each toxic has its own attribute type
export const tlsToxics: readonly TlsToxicType<any>[] = [
  tlsExpired,
  tlsWrongHost,
  tlsUntrusted,
  tlsHandshakeTimeout,
  tlsResetHandshake,
  tlsVersion,
];
