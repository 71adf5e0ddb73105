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
export { runExperiment } from './experiment/run.js';
export type { RunOptions, RunResult } from './experiment/run.js';
export { RunEvents } from './experiment/events.js';
export type { RunEvent, RunEventListener, Phase } from './experiment/events.js';
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
export type { FaultEvent } from './faults/events.js';
export { JournalBuilder } from './experiment/journal-builder.js';
export { writeJournalLive, type JournalFile } from './experiment/journal-file.js';
export type { Journal, RunRecord, HypothesisOutcome, JournalFault } from './experiment/journal.js';
export { InterruptExecution } from './experiment/controls.js';
export { decideRollbacks, hypothesisSchedule, runExitCode } from './experiment/policy.js';
export type { RollbacksDecision, RunStatus, HypothesisSchedule } from './experiment/policy.js';
export { journalToJUnit } from './report/junit.js';
export * from './faults/index.js';
export * from './supervisor/index.js';
export * from './dns/index.js';
export * from './explore/index.js';
export { providers, getProvider, requireProvider, providerTypes, providerSchema } from './providers/index.js';
export { pythonModuleAvailable, type PythonAvailability } from './providers/python.js';
export type { ModuleCallContext, ModuleFunction } from './providers/module.js';
export { checkTolerance, describeTolerance, toleranceSchema, toleranceKinds } from './experiment/tolerance.js';
export type { ToleranceContext, ToleranceResult, ToleranceKind } from './experiment/tolerance.js';
export { loadExperiment, loadExperimentObject, parseExperiment } from './experiment/load.js';
export type { LoadedExperiment, LoadOptions, ExperimentFormat } from './experiment/load.js';
export type { PositionIndex, Position } from './experiment/positions.js';
export { validateExperiment, assertValid, type ValidateOptions } from './experiment/validate.js';
export { experimentSchema, experimentJsonSchema, EXPERIMENT_SCHEMA_ID } from './experiment/schema.js';
export { substitute, substituteString, hasPlaceholder, type SubstitutionScope } from './experiment/substitute.js';
export { loadConfiguration, loadSecrets, resolveConfiguration } from './experiment/configuration.js';
export type { DynamicConfiguration, ResolvedConfiguration } from './experiment/configuration.js';
export { parseVarFlag, loadVarFiles, loadOverrides, convertVar, type Overrides } from './experiment/vars.js';
export * from './proxy/index.js';
export * from './lab/index.js';
