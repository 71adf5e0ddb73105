/**
 * @module `@turbulence/failpoints/control`: what a driver needs to talk to processes that embed failpoints (the
 * endpoint client, the grammar, the panic exit code), without the side effects of the main entry (which applies
 * `TURBULENCE_FAILPOINTS` and may start an endpoint in the importing process).
 */
export { FailpointsClient, ControlError, readAnnouncement } from './client.js';
export type { Announcement } from './client.js';
export { parseActions, parseFailpointList, formatActions } from './grammar.js';
export type { Action, TaskName } from './grammar.js';
export { PANIC_EXIT_CODE } from './evaluate.js';
export { FailpointConfigError } from './errors.js';
export type { FailpointInfo } from './registry.js';
export type { RuleInfo } from './rules-backend.js';
