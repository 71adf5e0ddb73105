/**
 * The request checks every control API applies before a handler runs, as plain functions over headers (the
 * fastify hook in `server.ts` calls them; the failpoints package repeats the same rules without dependencies and
 * passes the same test table, `test/support/control-auth-cases.ts`).
 *
 *   Host header    a loopback bind answers only requests addressed to a loopback name (DNS rebinding)
 *   cross-site     a write carrying `Origin` of another site, `Origin: null` or `Sec-Fetch-Site: cross-site`
 *   content type   a write with a body must say `application/json` (browsers cannot send that cross-site
 *                  without a CORS preflight, which these APIs never grant)
 *   token          `Authorization: Bearer TOKEN`, compared in constant time
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ControlError } from './errors.js';
import { isLoopbackHost } from './loopback.js';

/** Methods that never change state. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the checks need to know about the server. */
export interface GuardOptions {
  /** The interface the API is bound to. */
  bindHost: string;
  /** Bearer token every request must carry, when set. */
  token?: string | undefined;
}

/**
 * Runs every check in order; throws a {@link ControlError} (401, 403 or 415) for the first that fails.
 *
 * @example
 * checkRequest('POST', req.headers, { bindHost: '127.0.0.1' });
 */
export function checkRequest(method: string, headers: IncomingHttpHeaders, options: GuardOptions): void {
  const host = firstHeader(headers.host);
  if (isLoopbackHost(options.bindHost) && host !== undefined && !isLoopbackHost(hostnameOf(host))) {
    throw new ControlError(`host ${JSON.stringify(host)} is not allowed: this API answers loopback names only`, 403);
  }
  const unsafe = !SAFE_METHODS.has(method.toUpperCase());
  if (unsafe) {
    const why = crossSiteReason(headers);
    if (why) throw new ControlError(`cross-site request refused: ${why}`, 403);
  }
  if (options.token !== undefined && !tokenMatches(firstHeader(headers.authorization), options.token)) {
    throw new ControlError('missing or wrong bearer token', 401);
  }
  if (unsafe && hasBody(headers) && !isJson(firstHeader(headers['content-type']))) {
    throw new ControlError('unsupported content type: send the body as application/json', 415);
  }
}

/** Why a write looks like it comes from another web site, or undefined when it does not. */
export function crossSiteReason(headers: IncomingHttpHeaders): string | undefined {
  const site = firstHeader(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const origin = firstHeader(headers.origin);
  if (origin === undefined) return undefined;
  if (origin === 'null') return 'Origin is null';
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `Origin ${JSON.stringify(origin)} is not a URL`;
  }
  const host = firstHeader(headers.host);
  if (host === undefined || originHost.toLowerCase() !== host.toLowerCase()) return `Origin ${origin} is another site`;
  return undefined;
}

/** Constant-time comparison of an `Authorization` header with `Bearer TOKEN` (hashes first: no length leak). */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const got = createHash('sha256')
    .update(authorization ?? '')
    .digest();
  const want = createHash('sha256').update(`Bearer ${token}`).digest();
  return timingSafeEqual(got, want) && authorization !== undefined;
}

/** True when the request announces a body (a length above 0, or chunked). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return !Number.isFinite(length) || length > 0;
}

/** `application/json` or any `+json` type, with or without parameters. */
export function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** The host part of a Host header value: `[::1]:80` → `::1`, `localhost:80` → `localhost`. */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end === -1 ? hostHeader.slice(1) : hostHeader.slice(1, end);
  }
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
