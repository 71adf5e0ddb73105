/** What an HTTP/1.1 or HTTP/2 front end needs from its proxy (types only: both front ends import it). */
import type { ConnectionOptions } from 'node:tls';
import type { ToxicCollection } from '../toxic-collection.js';
import type { TlsOptions } from '../tls/options.js';
import type { HttpConnection } from './connection.js';
import type { HttpStats } from './stats.js';

/** What the front end needs from its proxy. */
export interface HttpHost {
  readonly name: string;
  readonly upstream: string;
  /** When set, requests go to the upstream over TLS (`tls.upstream`). */
  readonly upstreamTls?: ConnectionOptions | undefined;
  /** TLS options: with `clientAuth`, verified client certificates go upstream in `x-forwarded-client-cert`. */
  readonly tls?: TlsOptions | undefined;
  readonly toxics: ToxicCollection;
  readonly http: HttpStats;
  /** Called when a client connects / when its socket closes. */
  track(connection: HttpConnection): void;
  untrack(connection: HttpConnection): void;
}
