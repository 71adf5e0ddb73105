/**
 * @module Chaos DNS servers as targets (type `dns-server`): `{ api: URL | URL[] }` names control APIs directly,
 * `{ lab: NAME }` finds the API of a running lab's chaos DNS server (its lab file's `dns:` block). Each target is
 * checked to answer `GET /health`; its id is `dns-api:<url>`. Set `TURBULENCE_DNS_API_TOKEN` when the API requires
 * a token.
 */
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { readLabState } from '../lab/state.js';
import { dnsApiQuerySchema } from './queries.js';

export { dnsApiQuerySchema } from './queries.js';

/**
 * The control APIs a query names, each checked to answer.
 *
 * @example
 * await resolveDnsApis({ api: 'http://127.0.0.1:5380' }); // [{ id: 'dns-api:http://127.0.0.1:5380', ... }]
 */
export async function resolveDnsApis(q: JsonObject | undefined): Promise<Target[]> {
  const parsed = dnsApiQuerySchema.safeParse(q ?? {});
  if (!parsed.success) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'dns.rule needs target { api: URL } or { lab: NAME }', {
      hint:
        'give the control API of a chaos DNS server, e.g. { "api": "http://127.0.0.1:5380" }, or the name of a ' +
        'running lab whose lab file has a dns: block, e.g. { "lab": "shop" }',
    });
  }
  if ('lab' in parsed.data) return [await reachable(labDnsApi(parsed.data.lab))];
  const urls = Array.isArray(parsed.data.api) ? parsed.data.api : [parsed.data.api];
  return Promise.all(urls.map((u) => reachable(u.replace(/\/+$/, ''))));
}

/** One answer of the control API. */
export interface ApiResponse {
  status: number;
  body: string;
}

/** Calls the control API a target names (with `TURBULENCE_DNS_API_TOKEN` as bearer token when set). */
export async function callDnsApi(t: Target, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = process.env.TURBULENCE_DNS_API_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${t.attributes.api as string}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.text() };
}

/** The control API of a running lab's chaos DNS server, from the lab's state file. */
function labDnsApi(name: string): string {
  const lab = readLabState(name);
  if (!lab) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no lab named "${name}" is up`, {
      hint: 'start it with `turbulence lab up LAB_FILE` (or check the name with `turbulence lab status`)',
    });
  }
  if (!lab.dns) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `lab "${name}" has no chaos DNS server`, {
      hint: 'add a dns: block to its lab file (docs/lab.md, "Chaos DNS in a lab") and run `turbulence lab up` again',
    });
  }
  if (!lab.dns.api) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `the chaos DNS server of lab "${name}" is not serving`, {
      hint: '`turbulence lab status` shows why; `turbulence lab down` then `lab up` starts it again',
    });
  }
  return lab.dns.api.replace(/\/+$/, '');
}

async function reachable(api: string): Promise<Target> {
  const target: Target = {
    id: `dns-api:${api}`,
    type: 'dns-server',
    name: `chaos DNS server at ${api}`,
    attributes: { api },
  };
  try {
    const res = await callDnsApi(target, 'GET', '/health');
    if (res.status === 200) return target;
    throw new Error(`GET /health answered ${res.status}`);
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `no chaos DNS server answers at ${api}: ${errorMessage(err)}`,
      {
        hint: 'start one with `turbulence dns serve --listen ... --upstream ... --api 127.0.0.1:5380`',
        cause: err,
      },
    );
  }
}
