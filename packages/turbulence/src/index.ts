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
export * from './experiment/index.js';
export type * from './providers/types.js';
export { activityFailed } from './providers/types.js';
export type { FaultEvent } from './faults/events.js';
export {
  EVENT_CATALOGUE,
  EVENT_CHANNELS,
  RUN_CHANNEL,
  FAULT_CHANNEL,
  PROXY_CHANNEL,
  DNS_CHANNEL,
  SUPERVISOR_CHANNEL,
  EventBus,
} from './core/events.js';
export type { AnyEvent, EventEnvelope, EventSource, EventType } from './core/events.js';
export { journalToJUnit } from './report/junit.js';
export * from './faults/index.js';
export * from './supervisor/index.js';
export * from './dns/index.js';
export * from './explore/index.js';
export { providers, getProvider, requireProvider, providerTypes, providerSchema } from './providers/index.js';
export { pythonModuleAvailable, type PythonAvailability } from './providers/python.js';
export type { ModuleCallContext, ModuleFunction } from './providers/module.js';
export * from './proxy/index.js';
export * from './lab/index.js';
