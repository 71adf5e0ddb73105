/**
 * @module The request checks of the control endpoint, the same rules as turbulence's control-API layer
 * (`turbulence/src/control/guard.ts`) without its dependencies; both pass the same test table
 * (`packages/turbulence/test/support/control-auth-cases.ts`).
 *
 *   Host header    a loopback bind answers only requests addressed to a loopback name (DNS rebinding)
 *   cross-site     a write carrying `Origin` of another site, `Origin: null` or `Sec-Fetch-Site: cross-site`
 *   token          `Authorization: Bearer TOKEN`, compared in constant time
 *   content type   a POST with a body must be `application/json`; a PUT may carry the spec as text (no browser
 *                  sends a cross-site PUT without a CORS preflight, which the endpoint never grants)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** A refused request: its status and message. */
export interface Refusal {
  status: number;
  message: string;
}

/** Loopback by its literal form only (127.0.0.0/8, ::1, `localhost`): `127.example.com` is a name, not loopback. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** The first failing check as a refusal, or undefined when the request may go on. */
export function refusal(
  method: string,
  headers: IncomingHttpHeaders,
  bind: { loopbackHost: boolean; token: string | undefined },
): Refusal | undefined {
  const host = one(headers.host);
  if (bind.loopbackHost && host !== undefined && !isLoopbackHost(hostnameOf(host))) {
    return {
      status: 403,
      message: `host ${JSON.stringify(host)} is not allowed: this API answers loopback names only`,
    };
  }
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  const crossSite = unsafe ? crossSiteReason(headers) : undefined;
  if (crossSite) return { status: 403, message: `cross-site request refused: ${crossSite}` };
  if (bind.token !== undefined && !tokenMatches(one(headers.authorization), bind.token)) {
    return { status: 401, message: 'missing or wrong bearer token' };
  }
  if (method.toUpperCase() === 'POST' && hasBody(headers) && !isJson(one(headers['content-type']))) {
    return { status: 415, message: 'unsupported content type: send the body as application/json' };
  }
  return undefined;
}

function crossSiteReason(headers: IncomingHttpHeaders): string | undefined {
  const site = one(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const origin = one(headers.origin);
  if (origin === undefined) return undefined;
  if (origin === 'null') return 'Origin is null';
  try {
    const host = one(headers.host);
    if (host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase()) return undefined;
  } catch {
    return `Origin ${JSON.stringify(origin)} is not a URL`;
  }
  return `Origin ${origin} is another site`;
}

function tokenMatches(authorization: string | undefined, token: string): boolean {
  const got = createHash('sha256')
    .update(authorization ?? '')
    .digest();
  const want = createHash('sha256').update(`Bearer ${token}`).digest();
  return timingSafeEqual(got, want) && authorization !== undefined;
}

/** True when the request announces a body. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return !Number.isFinite(length) || length > 0;
}

/** `application/json` or a `+json` type. */
export function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host.slice(1) : host.slice(1, end);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
