/**
 * @module Targets of the `proxy` fault family: proxies by name on a Toxiproxy-compatible server (turbulence's
 * own `proxy serve`, or a real Toxiproxy). Query: `{ proxy?: name | names, url?: server URL }`.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { ProxyClient, ProxyClientError } from '../proxy/client.js';
import { DEFAULT_PROXY_URL, proxyQuerySchema } from './queries.js';

export { DEFAULT_PROXY_URL, proxyQuerySchema } from './queries.js';

/** What a proxy target remembers (enough to find it again after a crash). */
export interface ProxyTargetAttributes {
  url: string;
  proxy: string;
}

/** Proxies matching a query, sorted by name; unknown names are refused with the list of known ones. */
export async function resolveProxies(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = proxyQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `proxy target: ${parsed.error.issues[0]?.message}`, {
      hint: 'a proxy target looks like { proxy: "redis", url: "http://127.0.0.1:8474" }',
    });
  }
  const { url, proxy } = parsed.data;
  const all = await reach(url, 'resolve targets', () => new ProxyClient(url).list());
  const wanted = proxy === undefined ? Object.keys(all) : [proxy].flat();
  const missing = wanted.filter((name) => !(name in all));
  if (missing.length > 0) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no proxy named ${missing.join(', ')} on ${url}`, {
      hint: `known proxies: ${Object.keys(all).sort().join(', ') || '(none)'}`,
    });
  }
  return wanted.sort().map((name) => ({
    id: `proxy:${url}/${name}`,
    type: 'proxy',
    name: `proxy ${name} on ${url}`,
    attributes: { url, proxy: name },
  }));
}

/** The url and proxy name of a target. */
export function attributesOf(target: Target): ProxyTargetAttributes {
  const { url, proxy } = target.attributes;
  return { url: typeof url === 'string' ? url : DEFAULT_PROXY_URL, proxy: typeof proxy === 'string' ? proxy : '' };
}

/** Runs an API call, turning "server unreachable" into an error that says which server and what to do. */
export async function reach<T>(url: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProxyClientError) throw err;
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `cannot ${what}: proxy server ${url} is unreachable`, {
      hint: 'start it with `turbulence proxy serve`, or set the target url',
      cause: err,
    });
  }
}

/** True for a 404 answer (proxy or toxic already gone). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ProxyClientError && err.status === 404;
}
