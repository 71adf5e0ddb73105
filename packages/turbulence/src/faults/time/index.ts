/**
 * The `time` fault family: `time.skew` through libfaketime for processes turbulence starts.
 */
import type { AnyDriver } from '../../core/fault.js';
import { skewDriver } from './skew.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [skewDriver];

export { faketimeEnv, libfaketimePath } from '../../os/faketime.js';
