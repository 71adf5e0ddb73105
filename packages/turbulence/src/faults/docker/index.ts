/**
 * @module The `container` fault family (Docker Engine API through dockerode; the network kinds need root):
 * lifecycle kinds (`container.kill|stop|pause|restart|remove`), `container.exec`, `container.stress`, the limits
 * (`container.limit-cpu|limit-pids|limit-memory`) and the network family's kinds inside a container's network
 * namespace (`container.partition|loss|blackhole|dns-block|bandwidth|latency`). Targets: `targets/container.ts`.
 */
import type { AnyDriver } from '../../core/fault.js';
import { execDriver } from './exec.js';
import { killDriver, pauseDriver, removeDriver, restartDriver, stopDriver } from './lifecycle.js';
import { limitCpuDriver, limitPidsDriver } from './limit.js';
import { limitMemoryDriver } from './memory.js';
import { networkDrivers } from './network.js';
import { stressDriver } from './stress.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  killDriver,
  stopDriver,
  pauseDriver,
  restartDriver,
  removeDriver,
  execDriver,
  stressDriver,
  limitCpuDriver,
  limitPidsDriver,
  limitMemoryDriver,
  ...networkDrivers,
];

export { resolveContainers, containerAttrs, containerQuerySchema } from '../../targets/container.js';
export type { ContainerAttributes } from '../../targets/container.js';
