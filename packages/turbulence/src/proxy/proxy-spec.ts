/** Parsing proxy bodies of the API (create, update, populate), with Toxiproxy's messages. */
import { ApiError, badBody } from './api-error.js';
import { parseProtocol } from './protocol.js';
import { parseTls } from './tls/options.js';
import { isObject, toxicInput, type ToxicInput } from './toxic-spec.js';

/** A proxy as clients send it. `toxics` is a turbulence extension (Toxiproxy ignores it). */
export interface ProxyInput {
  name?: string;
  listen?: string;
  upstream?: string;
  enabled?: boolean | null;
  toxics?: ToxicInput[];
  /** `tcp` (default), `http`: a turbulence extension (see protocol.ts). */
  protocol?: string;
  /** `{ terminate, upstream, verifyUpstream, cert?, key? }`: a turbulence extension (see tls/options.ts). */
  tls?: unknown;
}

/** Checks the JSON shape of a proxy body. */
export function proxyInput(body: unknown): ProxyInput {
  if (!isObject(body)) throw badBody('expected a JSON object');
  for (const key of ['name', 'listen', 'upstream'] as const) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string') {
      throw badBody(`${key} must be a string`);
    }
  }
  if (body.enabled !== undefined && body.enabled !== null && typeof body.enabled !== 'boolean') {
    throw badBody('enabled must be a boolean');
  }
  parseProtocol(body.protocol);
  parseTls(body.tls);
  if (body.toxics !== undefined && body.toxics !== null) {
    if (!Array.isArray(body.toxics)) throw badBody('toxics must be an array');
    body.toxics.forEach(toxicInput);
  }
  return body;
}

/** Checks the required fields of a proxy to create; `at` is the 1-based populate index. */
export function requireFields(input: ProxyInput, at?: number): { name: string; upstream: string } {
  const suffix = at === undefined ? '' : ` at proxy ${at}`;
  if (!input.name) throw new ApiError(`missing required field: name${suffix}`, 400);
  if (!input.upstream) throw new ApiError(`missing required field: upstream${suffix}`, 400);
  return { name: input.name, upstream: input.upstream };
}

/** Checks a populate body: an array of proxies, every one with a name and an upstream. */
export function populateInput(body: unknown): ProxyInput[] {
  if (!Array.isArray(body)) throw badBody('expected a JSON array of proxies');
  const inputs = body.map(proxyInput);
  inputs.forEach((input, i) => requireFields(input, i + 1));
  return inputs;
}
