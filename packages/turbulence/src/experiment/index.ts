/**
 * @module The experiment runner's public API (`turbulence/experiment`): loading with positions, validation and
 * the published JSON Schema, substitution, configuration and `--var` overrides, tolerances, the runner, its
 * events and the journal types.
 *
 * @example
 * import { loadExperiment, runExperiment } from 'turbulence/experiment';
 * const loaded = await loadExperiment('experiment.yaml');
 * const { exitCode } = await runExperiment(loaded.experiment, { baseDir: loaded.baseDir });
 */
export type * from './types.js';
export { isRef } from './types.js';
export { runExperiment } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { RunEvents } from './events.js';
export type { RunEvent, RunEventListener, Phase } from './events.js';
export type { Journal, RunRecord, HypothesisOutcome, JournalFault } from './journal.js';
export { InterruptExecution } from './controls.js';
export { decideRollbacks, hypothesisSchedule, runExitCode } from './policy.js';
export type { RollbacksDecision, RunStatus, HypothesisSchedule } from './policy.js';
export { checkTolerance, describeTolerance, toleranceSchema, toleranceKinds } from './tolerance.js';
export type { ToleranceContext, ToleranceResult, ToleranceKind } from './tolerance.js';
export { loadExperiment, loadExperimentObject, parseExperiment } from './load.js';
export type { LoadedExperiment, LoadOptions, ExperimentFormat } from './load.js';
export type { PositionIndex, Position } from './positions.js';
export { validateExperiment, assertValid, type ValidateOptions } from './validate.js';
export { experimentSchema, experimentJsonSchema, EXPERIMENT_SCHEMA_ID } from './schema.js';
export { substitute, substituteString, hasPlaceholder, type SubstitutionScope } from './substitute.js';
export { loadConfiguration, loadSecrets, resolveConfiguration } from './configuration.js';
export type { DynamicConfiguration, ResolvedConfiguration } from './configuration.js';
export { parseVarFlag, loadVarFiles, loadOverrides, convertVar, type Overrides } from './vars.js';
export { journalFileMode, writeJournalLive, type JournalFile, type SecretInputs } from './journal-file.js';
export { JournalBuilder } from './journal-builder.js';
