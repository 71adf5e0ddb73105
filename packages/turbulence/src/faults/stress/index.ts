/**
 * The `stress` fault family: noisy neighbours (CPU, memory, disk fill, I/O, file descriptors) as detached load
 * processes, through stress-ng where present or a Node worker.
 */
import type { AnyDriver } from '../../core/fault.js';
import { cpuStressDriver } from './cpu.js';
import { diskFillDriver } from './disk-fill.js';
import { fdsStressDriver } from './fds.js';
import { ioStressDriver } from './io.js';
import { memoryStressDriver } from './memory.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  cpuStressDriver,
  memoryStressDriver,
  diskFillDriver,
  ioStressDriver,
  fdsStressDriver,
];
