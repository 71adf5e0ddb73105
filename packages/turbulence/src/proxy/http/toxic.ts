/**
 * The HTTP toxic contract. An HTTP toxic does not see bytes: for every request it is selected for (its match
 * attributes match and the request's seeded draw is below its toxicity), it edits the request's {@link Plan},
 * and the HTTP front end carries the plan out.
 *
 * ```
 *   request ──▶ match + draw per toxic ──▶ selected toxics edit the Plan ──▶ front end: abort? delay? answer
 *                                                                             or forward (edit headers/body)
 * ```
 */
import type { Rng } from '../../core/rng.js';
import type { Direction, ToxicType } from '../toxic.js';
import { passThrough } from '../toxics/pass-through.js';
import type { MatchAttributes, RequestView } from './match.js';

/** A header edit: add (append a value), set (replace every value), remove. */
export interface HeaderEdit {
  action: 'add' | 'set' | 'remove';
  /** Lower-case header name. */
  name: string;
  value: string;
  /** Only for `set`: rewrite only when the header is present. */
  onlyIfPresent: boolean;
}

/** A body edit: replace the whole body, or keep only its first `bytes` bytes. */
export type BodyEdit = { action: 'replace'; body: Buffer } | { action: 'truncate'; bytes: number };

/** What the front end does with one request. Toxics fill it in; an empty plan forwards the request as it is. */
export interface Plan {
  /** Reset the client connection (TCP RST) before anything is forwarded. */
  abortBefore: boolean;
  /** Reset the client connection after the response headers and this many body bytes. */
  abortAfter: number | undefined;
  /** Answer this instead of forwarding (the request never reaches the upstream). */
  answer: { status: number; headers: Record<string, string>; body: string } | undefined;
  /** Milliseconds to wait before forwarding the request (or answering). */
  requestDelayMs: number;
  /** Milliseconds to wait before sending the response headers. */
  headersDelayMs: number;
  /** Milliseconds to wait between the response headers and the body. */
  bodyDelayMs: number;
  requestHeaders: HeaderEdit[];
  responseHeaders: HeaderEdit[];
  requestBody: BodyEdit | undefined;
  responseBody: BodyEdit | undefined;
}

/** A fresh, empty plan. */
export function emptyPlan(): Plan {
  return {
    abortBefore: false,
    abortAfter: undefined,
    answer: undefined,
    requestDelayMs: 0,
    headersDelayMs: 0,
    bodyDelayMs: 0,
    requestHeaders: [],
    responseHeaders: [],
    requestBody: undefined,
    responseBody: undefined,
  };
}

/** What a toxic gets when it edits a plan. */
export interface PlanContext {
  /** The toxic's stream: `upstream` = the request side, `downstream` = the response side. */
  readonly direction: Direction;
  /** A generator seeded from the connection, the request and the toxic (jitter). */
  rng(): Rng;
}

/** An HTTP toxic type: attributes include the match attributes; `plan` edits the request's plan. */
export interface HttpToxicType<A = MatchAttributes> extends ToxicType<A> {
  readonly protocol: 'http';
  plan(attributes: A, plan: Plan, ctx: PlanContext): void;
  /** Optional: its own request matcher (gRPC toxics match service and method); default: the match attributes. */
  matches?(attributes: A, request: RequestView): boolean;
}

/** Builds an HTTP toxic type (its byte stage is a pass-through: it never runs on a TCP link). */
export function httpToxic<A = MatchAttributes>(
  spec: Omit<HttpToxicType<A>, 'protocol' | 'create' | 'timeless'>,
): HttpToxicType<A> {
  return { ...spec, protocol: 'http', timeless: true, create: (_a, out) => passThrough(out) };
}
