/**
 * The `limit` fault family (root, Linux cgroups v1 or v2): memory, CPU, pids and block-I/O caps on a process,
 * each in its own child cgroup `turbulence_<key>` that revert dissolves.
 */
import type { AnyDriver } from '../../core/fault.js';
import { cpuLimitDriver } from './cpu.js';
import { ioLimitDriver } from './io.js';
import { memoryLimitDriver } from './memory.js';
import { pidsLimitDriver } from './pids.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [memoryLimitDriver, cpuLimitDriver, pidsLimitDriver, ioLimitDriver];

export { cgroupVersion, controllerAvailable } from './cgroup.js';
export { resolveProcessTargets } from '../../targets/lab-service.js';
export { parseSize } from './size.js';
