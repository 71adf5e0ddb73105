/**
 * A proxy's `tls` field: `{ "terminate": true, "upstream": false, "verifyUpstream": true }`, plus optional
 * `cert` and `key` (PEM) to serve your own certificate instead of one from the turbulence test CA, and mTLS:
 * `clientAuth` (`none`, `request` or `require` a client certificate, verified against `clientCa`, default the
 * test CA) and `upstreamCert` + `upstreamKey` (the client certificate the proxy presents to the upstream).
 */
import type { ConnectionOptions } from 'node:tls';
import { ApiError } from '../api-error.js';

/** TLS options of a proxy. */
export interface TlsOptions {
  /** Accept TLS from clients (a certificate from the test CA for the listen name, localhost and 127.0.0.1). */
  terminate: boolean;
  /** Speak TLS to the upstream. */
  upstream: boolean;
  /** Verify the upstream's certificate (system CAs and the test CA); default true. */
  verifyUpstream: boolean;
  /** Your own certificate chain and key (PEM), both or neither. */
  cert?: string;
  key?: string;
  /** mTLS with clients: ask for a certificate (`request`), or refuse handshakes without a valid one (`require`). */
  clientAuth: 'none' | 'request' | 'require';
  /** CA certificates (PEM) client certificates are verified against; default the turbulence test CA. */
  clientCa?: string;
  /** The client certificate chain and key (PEM) the proxy presents to a TLS upstream that asks for one. */
  upstreamCert?: string;
  upstreamKey?: string;
}

const KEYS = [
  'terminate',
  'upstream',
  'verifyUpstream',
  'cert',
  'key',
  'clientAuth',
  'clientCa',
  'upstreamCert',
  'upstreamKey',
];
const CLIENT_AUTH = ['none', 'request', 'require'];

const bad = (message: string): ApiError => new ApiError(`bad request body: ${message}`, 400);

/** Parses `tls` of a proxy body; undefined when absent. Every error names the field and the fix. */
export function parseTls(value: unknown): TlsOptions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw bad('tls must be an object such as {"terminate": true, "upstream": false, "verifyUpstream": true}');
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!KEYS.includes(key)) throw bad(`tls.${key} is not a TLS option (known: ${KEYS.join(', ')})`);
  }
  for (const key of ['terminate', 'upstream', 'verifyUpstream']) {
    if (v[key] !== undefined && typeof v[key] !== 'boolean') throw bad(`tls.${key} must be true or false`);
  }
  for (const key of ['cert', 'key', 'clientCa', 'upstreamCert', 'upstreamKey']) {
    if (v[key] !== undefined && (typeof v[key] !== 'string' || !String(v[key]).includes('-----BEGIN'))) {
      throw bad(`tls.${key} must be a PEM string (-----BEGIN ...)`);
    }
  }
  if ((v.cert === undefined) !== (v.key === undefined)) {
    const given = v.cert === undefined ? 'key' : 'cert';
    const missing = given === 'cert' ? 'key' : 'cert';
    throw bad(
      `tls.${given} given without tls.${missing} (fix: pass both PEM strings, or neither to use the turbulence test CA)`,
    );
  }
  if (v.clientAuth !== undefined && !CLIENT_AUTH.includes(v.clientAuth as string)) {
    throw bad(`tls.clientAuth must be one of ${CLIENT_AUTH.join(', ')}, got ${JSON.stringify(v.clientAuth)}`);
  }
  if ((v.upstreamCert === undefined) !== (v.upstreamKey === undefined)) {
    const given = v.upstreamCert === undefined ? 'upstreamKey' : 'upstreamCert';
    const missing = given === 'upstreamCert' ? 'upstreamKey' : 'upstreamCert';
    throw bad(`tls.${given} given without tls.${missing} (fix: pass both PEM strings, or neither)`);
  }
  const options: TlsOptions = {
    terminate: v.terminate === true,
    upstream: v.upstream === true,
    verifyUpstream: v.verifyUpstream !== false,
    ...(typeof v.cert === 'string' ? { cert: v.cert, key: v.key as string } : {}),
    clientAuth: (v.clientAuth as TlsOptions['clientAuth'] | undefined) ?? 'none',
    ...(typeof v.clientCa === 'string' ? { clientCa: v.clientCa } : {}),
    ...(typeof v.upstreamCert === 'string'
      ? { upstreamCert: v.upstreamCert, upstreamKey: v.upstreamKey as string }
      : {}),
  };
  if (!options.terminate && !options.upstream) {
    throw bad('tls needs "terminate": true (accept TLS from clients) and/or "upstream": true (TLS to the upstream)');
  }
  if (options.cert && !options.terminate) throw bad('tls.cert and tls.key need "terminate": true');
  if ((options.clientAuth !== 'none' || options.clientCa) && !options.terminate) {
    throw bad(
      'tls.clientAuth and tls.clientCa need "terminate": true (the proxy must run the handshake to ask for a client certificate)',
    );
  }
  if (options.upstreamCert && !options.upstream) {
    throw bad('tls.upstreamCert and tls.upstreamKey need "upstream": true (they are presented to a TLS upstream)');
  }
  return options;
}

/** Options of the TLS dial to the upstream: verification (system CAs + `ca`) and the client certificate. */
export function upstreamTlsOptions(options: TlsOptions, ca: readonly string[]): ConnectionOptions {
  return {
    rejectUnauthorized: options.verifyUpstream,
    ca: [...ca],
    ...(options.upstreamCert ? { cert: options.upstreamCert, key: options.upstreamKey } : {}),
  };
}

/** The API view: the options without the key. */
export function tlsJson(options: TlsOptions): Record<string, unknown> {
  return {
    terminate: options.terminate,
    upstream: options.upstream,
    verifyUpstream: options.verifyUpstream,
    ...(options.cert ? { cert: 'custom' } : {}),
    ...(options.clientAuth !== 'none' ? { clientAuth: options.clientAuth } : {}),
    ...(options.clientCa ? { clientCa: 'custom' } : {}),
    ...(options.upstreamCert ? { upstreamCert: 'custom' } : {}),
  };
}
