/**
 * turbulence: chaos engineering for TypeScript and Node.js. The public library API.
 */
export { VERSION } from './version.js';
export * from './core/errors.js';
export * from './core/rng.js';
export * from './core/selector.js';
export * from './core/duration.js';
export type * from './core/fault.js';
export type * from './core/json.js';
export type * from './experiment/types.js';
export { isRef } from './experiment/types.js';
export type * from './providers/types.js';
export { activityFailed } from './providers/types.js';
