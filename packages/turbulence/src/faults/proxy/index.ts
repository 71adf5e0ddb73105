/**
 * @module The `proxy` fault family: toxics and outages on a Toxiproxy-compatible server, as revertible faults.
 * Target: `{ proxy: "name", url: "http://127.0.0.1:8474" }`.
 */
import type { AnyDriver } from '../../core/fault.js';
import { disableDriver } from './disable.js';
import { toxicDriver } from './toxic.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [toxicDriver, disableDriver];

export { resolveProxies, proxyQuerySchema, DEFAULT_PROXY_URL } from '../../targets/proxy.js';
export type { ProxyTargetAttributes } from '../../targets/proxy.js';
export type { ProxyToxicParams } from './toxic.js';
