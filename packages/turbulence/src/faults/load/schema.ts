/**
 * @module Schemas of the `load` family (pure, see `../kind-schema.ts`): thundering herds. Each kind runs a load
 * against an endpoint and returns what it measured (latency percentiles, errors by kind, connections opened,
 * requests/s) as its output, for tolerances.
 *
 * Limits (refused above unless `force: true`; never above 10× even then): {@link LIMITS}.
 */
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { strictObject } from '../../experiment/strict.js';
import type { KindSchema } from '../kind-schema.js';
import { endpointQuerySchema } from '../../targets/queries.js';

/** The documented maximum of each size, refused above unless forced (`force: true` allows up to 10×). */
export const LIMITS = { clients: 10_000, requests: 100_000, durationMs: 300_000 } as const;

const duration = (fallback: number) =>
  z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      try {
        return parseDuration(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration like 500ms or 10s` });
        return z.NEVER;
      }
    })
    .default(fallback);

/** How a client waits before trying again: at once, or exponentially (base·2^n up to max), with or without jitter. */
export const backoffSchema = strictObject(
  {
    policy: z.enum(['immediate', 'exponential']).default('immediate'),
    base: duration(100),
    max: duration(5000),
    /** Full jitter: wait a random time between 0 and the backoff (seeded by the run's RNG). */
    jitter: z.boolean().default(false),
  },
  'a backoff',
);

const common = {
  /** Concurrent clients. */
  clients: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.clients * 10)
    .default(100),
  /** Clients start at random moments within this window (0: all at one instant). */
  jitter: duration(0),
  /** Per-request (or per-connect) timeout. */
  timeout: duration(5000),
  /** HTTP method (HTTP targets). */
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET'),
  /** Bytes written on each TCP connection (TCP targets; latency then runs until the first byte back). */
  payload: z.string().optional(),
  /** Worker threads carrying the load (the runner itself stays responsive). */
  threads: z.number().int().min(1).max(8).default(1),
  /** Allow sizes above the documented limits (up to 10×). */
  force: z.boolean().default(false),
};

type Sized = { clients: number; force: boolean; requests?: number; duration?: number };

function limits(p: Sized, ctx: z.RefinementCtx): void {
  const over = (key: string, value: number | undefined, max: number) => {
    if (value === undefined || value <= max) return;
    if (p.force && value <= max * 10) return;
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: p.force
        ? `${key} ${value} is over the hard limit ${max * 10} (10× the documented ${max})`
        : `${key} ${value} is over the documented limit ${max}; pass force: true (--param force=true) to go up to ${max * 10}`,
    });
  };
  over('clients', p.clients, LIMITS.clients);
  over('requests', p.requests, LIMITS.requests);
  over('duration', p.duration, LIMITS.durationMs);
}

/** Total requests of a burst or a retry storm: refused above the documented maximum unless forced (then 10×). */
const requests = z
  .number()
  .int()
  .min(1)
  .max(LIMITS.requests * 10)
  .optional();

/** Params of `load.burst`. */
export const burstParams = z
  .object({
    ...common,
    /** Total requests (default: one per client). */
    requests,
    /** Reuse connections (keep-alive); false: a new connection per request. */
    keepAlive: z.boolean().default(true),
  })
  .strict()
  .superRefine(limits);

/** Params of `load.retry-storm`. */
export const retryStormParams = z
  .object({
    ...common,
    requests,
    /** Retries per request after a failure (a 5xx, a reset, a timeout). */
    retries: z.number().int().min(0).max(100).default(3),
    backoff: backoffSchema.default({ policy: 'immediate', base: 100, max: 5000, jitter: false }),
    /** Retry budget: retries may be at most this fraction of first attempts (e.g. 0.1); unset: unlimited. */
    budget: z.number().min(0).max(100).optional(),
  })
  .strict()
  .superRefine(limits);

/** What `load.reconnect-storm` drops, once every client is connected. */
export const dropSchema = strictObject(
  {
    /** Disable this proxy on a Toxiproxy-compatible server (every connection through it closes) for `blip`. */
    proxy: z.string().min(1).optional(),
    /** The proxy server's API (with `proxy`). */
    api: z.url().optional(),
    /** How long the proxy stays disabled (with `proxy`; default 500ms). */
    blip: duration(500).optional(),
    /** Or: restart this process turbulence supervises (a managed process). */
    managed: z.string().min(1).optional(),
  },
  'a drop',
)
  .superRefine((d, ctx) => {
    if ((d.proxy === undefined) === (d.managed === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either proxy (with api and blip) or managed' });
    }
  })
  // One object (not a union) so a misspelt key gets "did you mean"; the driver gets one of the two shapes.
  .transform((d): { proxy: string; api: string; blip: number } | { managed: string } =>
    d.managed !== undefined
      ? { managed: d.managed }
      : { proxy: d.proxy as string, api: d.api ?? 'http://127.0.0.1:8474', blip: d.blip ?? 500 },
  );

/** Params of `load.reconnect-storm`. */
export const reconnectStormParams = z
  .object({
    ...common,
    /** How long clients keep requesting, from the first connection. */
    duration: duration(10_000),
    /** Pause of each client between its requests. */
    interval: duration(100),
    drop: dropSchema,
    /** How a client reconnects after its connection dropped. */
    backoff: backoffSchema.default({ policy: 'immediate', base: 100, max: 5000, jitter: false }),
  })
  .strict()
  .superRefine(limits);

const endpoint = { target: endpointQuerySchema, targetTypes: ['endpoint'] } as const;

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'load.burst',
    params: burstParams,
    ...endpoint,
    example: { target: { url: 'http://127.0.0.1:8080/' }, params: { clients: 200, requests: 2000, jitter: '100ms' } },
  },
  {
    kind: 'load.retry-storm',
    params: retryStormParams,
    ...endpoint,
    example: {
      target: { url: 'http://127.0.0.1:8080/' },
      params: { clients: 100, retries: 5, backoff: { policy: 'exponential', jitter: true }, budget: 0.1 },
    },
  },
  {
    kind: 'load.reconnect-storm',
    params: reconnectStormParams,
    ...endpoint,
    example: {
      target: { url: 'http://127.0.0.1:18080/' },
      params: {
        clients: 50,
        duration: '10s',
        drop: { proxy: 'api', blip: '1s' },
        backoff: { policy: 'exponential', jitter: true },
      },
    },
  },
];
