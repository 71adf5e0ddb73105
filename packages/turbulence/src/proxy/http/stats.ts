/** Running counters of an HTTP proxy, read by the metrics at scrape time. */

/** Counters of one HTTP proxy. */
export interface HttpStats {
  /** Requests by outcome: forwarded, answered (http_status), aborted (http_abort), error. */
  outcomes: Record<'forwarded' | 'answered' | 'aborted' | 'error', number>;
  /** Malformed or failed input, by side: `client` (bad request bytes) or `upstream` (bad response, refused). */
  errors: Record<'client' | 'upstream', number>;
  /** Connections upgraded (WebSocket and others) and passed through untouched. */
  upgrades: number;
  /** Times each toxic (by name) was applied to a request. */
  applied: Map<string, { type: string; count: number }>;
}

/** Fresh counters. */
export function httpStats(): HttpStats {
  return {
    outcomes: { forwarded: 0, answered: 0, aborted: 0, error: 0 },
    errors: { client: 0, upstream: 0 },
    upgrades: 0,
    applied: new Map(),
  };
}
