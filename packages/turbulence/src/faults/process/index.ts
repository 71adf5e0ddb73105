/**
 * @module The `process` fault family (no root needed): `process.kill`, `process.stop`, `process.cont`,
 * `process.restart`. Targets are found through `/proc`; see `targets.ts` for the query and the guard.
 */
import type { AnyDriver } from '../../core/fault.js';
import { contDriver } from './cont.js';
import { killDriver } from './kill.js';
import { restartDriver } from './restart.js';
import { stopDriver } from './stop.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [killDriver, stopDriver, contDriver, restartDriver];

export { resolveProcesses, processQuerySchema } from '../../targets/process.js';
export type { ProcessQuery, ProcessAttributes } from '../../targets/process.js';
export { isSameProcess, readProc } from '../../os/proc.js';
