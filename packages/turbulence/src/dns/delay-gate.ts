/**
 * @module The bound on queries a `delay` rule holds at once. A delayed query keeps its reply, its query and a timer
 * in memory until the delay is over; without a bound, a flood of queries under `delay(600000)` would hold memory
 * without limit. Past the bound the query is DROPPED (no reply), not answered SERVFAIL: a delay fault stands for a
 * slow server, and an overloaded slow server does not answer — the client times out and retries, as it would
 * under the delay itself, whereas an instant SERVFAIL would turn the slow-server fault into a fast failure.
 *
 *   reply ready ─▶ delayMs > 0 ─▶ gate.tryHold(cost) ─┬─ ok ───▶ sleep(delayMs) ─▶ send ─▶ gate.release(cost)
 *                                                     └─ full ─▶ drop (event.error says why)
 */

/** Default most queries held by delay rules at once. */
export const DEFAULT_MAX_DELAYED_QUERIES = 1000;
/** Default most bytes held by delay rules at once (replies + queries + an estimate of the bookkeeping). */
export const DEFAULT_MAX_DELAYED_BYTES = 8 * 1024 * 1024;
/** Estimated bytes a held query costs beyond its reply and query (promise, timer, closures, event). */
export const HELD_QUERY_OVERHEAD = 1024;

/**
 * Counts the queries (and their bytes) that `delay` holds, refusing past either cap.
 *
 * @example
 * const gate = new DelayGate(1000, 8 << 20);
 * if (gate.tryHold(600)) try { await sleep(ms) } finally { gate.release(600) }
 */
export class DelayGate {
  /** Queries held now. */
  held = 0;
  /** Bytes held now. */
  bytes = 0;
  /** Queries dropped because a cap was reached. */
  refused = 0;

  constructor(
    readonly maxQueries: number = DEFAULT_MAX_DELAYED_QUERIES,
    readonly maxBytes: number = DEFAULT_MAX_DELAYED_BYTES,
  ) {}

  /** Takes room for one query of `cost` bytes; false (counted as refused) when either cap would be passed. */
  tryHold(cost: number): boolean {
    if (this.held + 1 > this.maxQueries || this.bytes + cost > this.maxBytes) {
      this.refused++;
      return false;
    }
    this.held++;
    this.bytes += cost;
    return true;
  }

  /** Gives back the room of one query. */
  release(cost: number): void {
    this.held = Math.max(0, this.held - 1);
    this.bytes = Math.max(0, this.bytes - cost);
  }
}
