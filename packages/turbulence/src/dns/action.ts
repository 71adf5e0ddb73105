/**
 * The contract of a DNS fault action (`truncate`, `delay`, `nxdomain`, ...). An action is one file under
 * `actions/` plus one line in `actions/index.ts`; nothing else switches on an action's type.
 *
 *   query ──▶ matching rules fire (probability, count, seeded RNG)
 *               │ before(): answer instead of the upstream, drop, delay, reset the TCP connection
 *               ▼
 *            upstream (skipped when a before() answered)
 *               │ after(): rewrite the response (TTL, extra records, case, truncation)
 *               ▼
 *            UDP size limit (TC when it does not fit) ──▶ delay ──▶ client
 */
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { DnsMessage } from './wire.js';

/** The transport a query arrived on. */
export type DnsTransport = 'udp' | 'tcp';

/** One query on its way through the server; actions read it and set what should happen. */
export interface DnsExchange {
  /** The decoded query. */
  readonly query: DnsMessage;
  /** Query name as asked (case preserved, no trailing dot). */
  readonly name: string;
  /** Query type (`A`, `AAAA`, ...). */
  readonly type: string;
  readonly transport: DnsTransport;
  readonly client: { address: string; port: number };
  /** Set by a before() to answer without asking the upstream. */
  response: DnsMessage | undefined;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  /** Send nothing at all. */
  drop: boolean;
  /** On TCP, reset the connection instead of answering. */
  resetTcp: boolean;
}

/**
 * One action type.
 *
 * @example
 * export const nxdomain: DnsActionDefinition<Record<string, never>> = {
 *   type: 'nxdomain', summary: 'answer NXDOMAIN', params: z.object({}),
 *   before: (ex) => { ex.response = replyTo(ex.query, Rcode.NXDOMAIN); },
 * };
 */
export interface DnsActionDefinition<P = Record<string, unknown>> {
  readonly type: string;
  /** One line for `--help` and the docs. */
  readonly summary: string;
  /** Schema of the parameters (the action object without `type`); applies defaults. */
  readonly params: z.ZodType<P>;
  /** Parameter names in order, for the shorthand `delay(200, 50)`. */
  readonly positional?: readonly string[];
  /** Runs before forwarding; may answer, drop, delay or reset. */
  before?(ex: DnsExchange, params: P, rng: Rng): void;
  /** Rewrites the response (from the upstream or from a before()) in place. */
  after?(ex: DnsExchange, response: DnsMessage, params: P, rng: Rng): void;
}
