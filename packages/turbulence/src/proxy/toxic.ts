/**
 * The toxic contract. A toxic type only has to turn one direction's chunks into other chunks; per-connection
 * state, in-place reconfiguration and connection-level decisions are optional capabilities.
 *
 * ```
 *   source socket ──data──▶ [stage 0] ──out──▶ [stage 1] ──out──▶ … ──▶ link sink ──write──▶ destination socket
 *                 (Buffer, receivedAt)    each stage = one toxic selected for this connection
 * ```
 *
 * A stage is a plain object with synchronous `write`/`end`: no stream, no async generator per toxic, so an
 * idle stage costs a few dozen bytes and a pass-through stage one function call per chunk.
 */
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';

/** `upstream` = client → server, `downstream` = server → client (as in Toxiproxy). */
export type Direction = 'upstream' | 'downstream';

/** Where a stage sends its output. `t` is the chunk's timestamp (ms, `performance.now()` clock). */
export interface Sink {
  write(data: Buffer, t: number): void;
  end(): void;
}

/** What a stage may do to the connection it lives on. */
export interface StageContext {
  readonly direction: Direction;
  /** A seeded generator for this toxic on this link (created on first use; `--seed` replays it). */
  rng(): Rng;
  /** Closes the whole connection (both sockets, FIN). */
  close(): void;
  /** Closes the whole connection with a TCP RST on both sockets (`ECONNRESET` for the peers). */
  reset(): void;
  /** Reports bytes the stage discarded, so back-pressure accounting stays right. */
  dropped(bytes: number): void;
}

/** One toxic on one link. */
export interface ToxicStage {
  /** Receives a chunk; forwards it (now or later) with `out.write`, or drops it with `ctx.dropped`. */
  write(data: Buffer, t: number): void;
  /** End of stream in this direction; forward with `out.end()` when the stage is done with what it holds. */
  end(): void;
  /**
   * Stops the stage (its toxic was removed or replaced, or the connection closed): clear timers and, when
   * `flush` is true, push everything held to `out` right away. Must never wait.
   */
  stop(flush: boolean): void;
  /** Optional: applies new attributes in place, keeping per-connection state (e.g. a byte counter). */
  reconfigure?(attributes: unknown): void;
}

/** What a connection-level toxic decides when a client connects. */
export interface AcceptDecision {
  /** Close the client socket with RST at once; the upstream is never dialled. */
  refuse?: boolean;
  /** Wait this long before dialling the upstream and reading from the client. */
  delayMs?: number;
}

/**
 * A toxic type: the API name, the attribute schema (defaults and validation) and a stage factory.
 *
 * @example
 * export const noop: ToxicType<Record<string, never>> = {
 *   type: 'noop', summary: 'pass data through unchanged', attributes: z.object({}).strip(),
 *   create: (_a, out) => ({ write: (d, t) => out.write(d, t), end: () => out.end(), stop: () => {} }),
 * };
 */
export interface ToxicType<A = unknown> {
  /** API name, snake_case, e.g. `slow_close`. */
  readonly type: string;
  /** One line for docs and `--help`. */
  readonly summary: string;
  /** Parses attributes: applies defaults, rejects bad values with a message that names the attribute. */
  readonly attributes: z.ZodType<A>;
  /** Creates the stage for one link. `out` is stable for the stage's life (the link rewires behind it). */
  create(attributes: A, out: Sink, ctx: StageContext): ToxicStage;
  /** Optional connection-level capability, asked once per new connection the toxic is selected for. */
  accept?(attributes: A): AcceptDecision;
  /**
   * Optional: `true` when the stage never reads a chunk's timestamp `t` and never holds a chunk (it forwards or
   * drops each one at once). When every stage of a chain is timeless, the link skips the `performance.now()` call
   * per chunk and passes `t = 0`. Leave unset when in doubt: the link then always passes the real time.
   * A timeless stage's chunk may be a view of the link's reused read buffer, valid only during its `write` call
   * (a stage that is not timeless always gets a chunk of its own).
   */
  readonly timeless?: boolean;
  /**
   * Optional: the proxy protocol the toxic works on. Unset = a byte toxic for `tcp` proxies (the stage above);
   * `http`, `udp` and `tls` toxics carry their own behaviour (see `http/toxic.ts`, `tls/toxics.ts`) and their `create`
   * is never called on a byte link. The API refuses a toxic on a proxy of another protocol.
   */
  readonly protocol?: 'http' | 'udp' | 'tls';
}

/** A toxic type of any attribute type (the registry holds these). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each toxic has its own attribute type
export type AnyToxicType = ToxicType<any>;
