/**
 * The `cgroup` fault family: `cgroup.freeze` (the cgroup freezer, v1 or v2).
 */
import type { AnyDriver } from '../../core/fault.js';
import { freezeDriver } from './freeze.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [freezeDriver];
