/**
 * One client connection through an HTTP proxy, as `GET /proxies/{name}/connections` shows it: its requests are
 * numbered, and every request's toxic decisions (match, draw, selected) are kept for the last few requests.
 */
import type { Socket } from 'node:net';
import { deriveSeed } from '../../core/rng.js';
import type { ToxicDecision } from '../connection.js';

/** Requests whose decisions a connection keeps. */
const KEPT = 16;

/** A toxic decision for one request: the TCP decision plus whether the request matched. */
export interface RequestDecision extends ToxicDecision {
  matched: boolean;
}

/** One request of a connection, as the connections endpoint lists it. */
export interface RequestRecord {
  n: number;
  method: string;
  path: string;
  /** The status sent to the client (0 while pending or when the connection was reset). */
  status: number;
  /** What the proxy did: forwarded, answered (http_status), aborted, error. */
  outcome: 'forwarded' | 'answered' | 'aborted' | 'error' | 'pending';
  toxics: RequestDecision[];
}

/** A client connection of an HTTP proxy. */
export class HttpConnection {
  readonly id: number;
  readonly seed: number;
  readonly openedAt = Date.now();
  readonly client: Socket;
  readonly upstream = undefined;
  readonly up = undefined;
  readonly down = undefined;
  /** Requests seen on this connection. */
  count = 0;
  readonly recent: RequestRecord[] = [];

  /** What the client speaks: `http/1.1`, `h2` (over TLS) or `h2c` (cleartext HTTP/2). */
  readonly protocol: 'http/1.1' | 'h2' | 'h2c';

  constructor(client: Socket, id: number, proxySeed: number, protocol: HttpConnection['protocol'] = 'http/1.1') {
    this.client = client;
    this.protocol = protocol;
    this.id = id;
    this.seed = deriveSeed(proxySeed, `connection:${id}`);
  }

  /** The seed of request `n`'s draws. */
  requestSeed(n: number): number {
    return deriveSeed(this.seed, `request:${n}`);
  }

  /** Keeps a request's record (the last {@link KEPT}). */
  remember(record: RequestRecord): void {
    this.recent.push(record);
    if (this.recent.length > KEPT) this.recent.shift();
  }

  /** Toxic changes apply per request: nothing to rebuild. */
  sync(): void {}

  /** The decisions of the latest request (the TCP view: one decision per toxic). */
  decisions(): ToxicDecision[] {
    return (this.recent.at(-1)?.toxics ?? []).map(({ matched: _m, ...d }) => d);
  }

  /** Destroys the client socket (proxy disabled or deleted). */
  destroy(): void {
    this.client.destroy();
  }

  /** The connections endpoint's view. */
  info(): Record<string, unknown> {
    return {
      id: this.id,
      client: `${this.client.remoteAddress ?? ''}:${this.client.remotePort ?? ''}`,
      upstreamLocal: null,
      protocol: this.protocol,
      openedAt: new Date(this.openedAt).toISOString(),
      bytes: {
        upstream: { received: this.client.bytesRead },
        downstream: { sent: this.client.bytesWritten },
      },
      toxics: this.decisions(),
      requests: this.recent,
    };
  }
}
