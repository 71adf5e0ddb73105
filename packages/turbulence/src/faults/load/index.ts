/**
 * The `load` fault family: thundering herds. `load.burst`, `load.retry-storm` and `load.reconnect-storm` run a
 * load against an HTTP or TCP endpoint in worker threads and return latency percentiles (HDR histograms), errors
 * by kind, connections opened and requests/s as the action's output (see `./driver.ts`, `./engine.ts`).
 */
import type { AnyDriver } from '../../core/fault.js';
import { loadDriver } from './driver.js';
import { burstParams, reconnectStormParams, retryStormParams } from './schema.js';

export { LIMITS } from './schema.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  loadDriver(
    'load.burst',
    'N clients fire requests at an HTTP or TCP endpoint at one instant or within a jitter window',
    'burst',
    burstParams,
  ),
  loadDriver(
    'load.retry-storm',
    'clients retry failed requests (immediate or exponential, with or without jitter, within a budget)',
    'retry',
    retryStormParams,
  ),
  loadDriver(
    'load.reconnect-storm',
    'drop every connection (proxy blip or service restart) and have M clients reconnect at once',
    'reconnect',
    reconnectStormParams,
  ),
];
