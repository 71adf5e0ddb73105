/** @module The failpoint explorer (`turbulence explore`). */
export { explore } from './explore.js';
export { systematic, randomSchedules, replayToken, parseReplay, atHit } from './schedules.js';
export type { Scenario, Schedule, RunOutcome, Finding, ExploreOptions, ExploreReport } from './types.js';
