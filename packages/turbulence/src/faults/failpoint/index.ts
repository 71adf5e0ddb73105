/**
 * @module The `failpoint` fault family: faults set inside processes that embed `@turbulence/failpoints`, through
 * their control endpoint.
 */
import type { AnyDriver } from '../../core/fault.js';
import { failpointSetDriver } from './set.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [failpointSetDriver];

export { failpointSetDriver, failpointSetParams } from './set.js';
export type { FailpointSetParams } from './set.js';
export { resolveFailpointTargets, failpointQuerySchema } from '../../targets/failpoint.js';
export type { FailpointAttributes } from '../../targets/failpoint.js';
