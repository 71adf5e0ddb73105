/**
 * @module Network endpoints as targets (type `endpoint`, for `load.*`): `{ url: 'http://127.0.0.1:8080/health' }`
 * or `{ tcp: '127.0.0.1:6379' }`. Nothing is contacted while resolving; the id is `http:<url>` or `tcp:<host:port>`.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { endpointQuerySchema } from './queries.js';

/**
 * The endpoint a query names.
 *
 * @example
 * await resolveEndpoints({ tcp: '127.0.0.1:6379' }); // [{ id: 'tcp:127.0.0.1:6379', type: 'endpoint', ... }]
 */
export function resolveEndpoints(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = endpointQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    return Promise.reject(
      new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'an endpoint target is { url: URL } or { tcp: HOST:PORT }', {
        location: { path: ['target'] },
        hint: 'e.g. --target url=http://127.0.0.1:8080/ or --target tcp=127.0.0.1:6379',
      }),
    );
  }
  const q = parsed.data;
  if ('url' in q) {
    const url = new URL(q.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(
        new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${q.url}: only http: and https: URLs carry a load`, {
          location: { path: ['target', 'url'] },
          hint: 'for another protocol over TCP use --target tcp=HOST:PORT',
        }),
      );
    }
    return Promise.resolve([
      { id: `http:${url.href}`, type: 'endpoint', name: url.href, attributes: { url: url.href } },
    ]);
  }
  const at = q.tcp.lastIndexOf(':');
  const host = q.tcp.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(q.tcp.slice(at + 1));
  return Promise.resolve([{ id: `tcp:${q.tcp}`, type: 'endpoint', name: `tcp ${q.tcp}`, attributes: { host, port } }]);
}
