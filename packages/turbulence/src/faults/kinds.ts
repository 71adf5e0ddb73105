/**
 * Every fault family, one line each: the part of a kind before the first dot (`process.kill` → `process`)
 * names the family, whose module exports `drivers`. Families load lazily, so the CLI only pays for what it uses.
 */
import type { FaultFamily } from '../core/fault.js';

export type { AnyDriver } from '../core/fault.js';

export const families: Readonly<Record<string, () => Promise<FaultFamily>>> = {
  process: () => import('./process/index.js'),
  network: () => import('./network/index.js'),
  limit: () => import('./limit/index.js'),
  cgroup: () => import('./cgroup/index.js'),
  stress: () => import('./stress/index.js'),
  time: () => import('./time/index.js'),
  dns: () => import('./dns/index.js'),
  proxy: () => import('./proxy/index.js'),
  failpoint: () => import('./failpoint/index.js'),
  pod: () => import('./kubernetes/index.js'),
  node: () => import('./kubernetes/index.js'),
  workload: () => import('./kubernetes/index.js'),
  config: () => import('./config/index.js'),
  load: () => import('./load/index.js'),
  container: () => import('./docker/index.js'),
};
