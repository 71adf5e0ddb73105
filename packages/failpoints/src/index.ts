/**
 * @module @turbulence/failpoints: named places in application code where faults can be switched on from outside
 * (FreeBSD fail points, gofail, fail-rs for Node), with zero runtime dependencies.
 *
 * @example
 * import { failpoint, failpointAsync } from '@turbulence/failpoints';
 * await writeFile(`${ca}.prepared`, next);
 * await failpointAsync('rotate.after-prepare');   // TURBULENCE_FAILPOINTS='rotate.after-prepare=1*panic'
 */
import { applyEnvOnce } from './env.js';

export { failpoint, failpointAsync } from './failpoint.js';
export { configure, remove, removeAll, list, get, setSeed, setTracking } from './registry.js';
export type { FailpointInfo, FailpointCallback } from './registry.js';
export { guardFailpoint, withFailpoints } from './scope.js';
export type { FailpointGuard } from './scope.js';
export { parseActions, parseTerm, parseFailpointList, formatActions } from './grammar.js';
export type { Action, TaskName } from './grammar.js';
export { PANIC_EXIT_CODE } from './evaluate.js';
export { FailpointConfigError, errnoError, errnoOf } from './errors.js';
export type { InjectedError, ErrnoDetails } from './errors.js';
export { serve, parseAddress } from './server.js';
export type { ServeOptions, ControlServer } from './server.js';
export { FailpointsClient, ControlError, readAnnouncement } from './client.js';
export type { Announcement } from './client.js';
export type { RuleInfo } from './rules-backend.js';
export { applyEnv } from './env.js';

applyEnvOnce();
