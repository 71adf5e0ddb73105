/**
 * @module Targets of the `failpoint` family: processes that embed `@turbulence/failpoints` and serve its control
 * endpoint. A query names endpoints directly or through the announce files the processes write:
 *
 *   { "announce": "/tmp/api.failpoints.json" }              { "address": ["http://127.0.0.1:43210", "unix:/run/b.sock"] }
 *
 * The token comes from the query (`token`) or from `TURBULENCE_FAILPOINTS_TOKEN`.
 */
import { FailpointsClient, readAnnouncement } from '@turbulence/failpoints/control';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { failpointQuerySchema } from './queries.js';

export { failpointQuerySchema } from './queries.js';

/** What a failpoint target remembers (stored in the ledger, so `recover` can find the endpoint again). */
export interface FailpointAttributes {
  address: string;
  pid: number;
  announce?: string;
  token?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The endpoint client for a target. */
export function clientFor(target: Target): FailpointsClient {
  const a = target.attributes as unknown as FailpointAttributes;
  return new FailpointsClient(a.address, a.token ?? process.env.TURBULENCE_FAILPOINTS_TOKEN, 3000);
}

function refused(message: string, hint: string, cause?: unknown): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TARGET_REFUSED, message, { hint, cause });
}

async function probe(address: string, token: string | undefined, announce?: string): Promise<Target> {
  const client = new FailpointsClient(address, token ?? process.env.TURBULENCE_FAILPOINTS_TOKEN, 3000);
  let pid: number;
  try {
    pid = (await client.health()).pid;
  } catch (err) {
    throw refused(
      `no failpoints control endpoint answers at ${address}: ${errorMessage(err)}`,
      'start the process with TURBULENCE_FAILPOINTS_ADDR=127.0.0.1:0 (and a token when it is not loopback)',
      err,
    );
  }
  const attributes: FailpointAttributes = { address, pid };
  if (announce) attributes.announce = announce;
  if (token) attributes.token = token;
  return {
    id: `failpoint:${address}`,
    type: 'failpoint',
    name: `pid ${pid} at ${address}`,
    attributes: attributes as unknown as JsonObject,
  };
}

/**
 * Finds the endpoints a query names and checks that each answers.
 *
 * @example
 * const [t] = await resolveFailpointTargets({ announce: '/tmp/api.failpoints.json' });
 */
export async function resolveFailpointTargets(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = failpointQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `failpoint target: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      {
        hint: 'e.g. { "announce": "/tmp/app.failpoints.json" }',
      },
    );
  }
  const q = parsed.data;
  const found: Promise<Target>[] = list(q.address).map((a) => probe(a, q.token));
  for (const file of list(q.announce)) {
    let address: string;
    try {
      address = readAnnouncement(file).address;
    } catch (err) {
      throw refused(
        `cannot read announce file ${file}: ${errorMessage(err)}`,
        'the process writes it once its endpoint listens (TURBULENCE_FAILPOINTS_ANNOUNCE); is it running?',
        err,
      );
    }
    found.push(probe(address, q.token, file));
  }
  const targets = await Promise.all(found);
  return [...new Map(targets.map((t) => [t.id, t])).values()].sort((a, b) => a.id.localeCompare(b.id));
}
