/**
 * @module The fault model's public API: the registry, the ledger, the per-run {@link FaultManager}, recovery
 * and blast-radius arithmetic. Driver families live in their own folders and load through `kinds.ts`.
 */
export { getDriver, listDrivers, parseParams } from './registry.js';
export type { AnyDriver } from './registry.js';
export { Ledger, newFaultId } from './ledger.js';
export type { LedgerEntry, LedgerOwner, LedgerStatus, LedgerListing, CorruptEntry } from './ledger.js';
export { FaultManager } from './manager.js';
export type { ActiveFault, FaultManagerEvents, FaultManagerOptions, RevertFailure } from './manager-types.js';
export { recoverLedger, revertLedgerEntry } from './recover.js';
export type { RecoverOptions, RecoverReport } from './recover.js';
export { checkBlastRadius } from './blast-radius.js';
export type { BlastRadiusUsage } from './blast-radius.js';
export { turbulenceHome, ledgerDir, managedDir } from '../os/home.js';
export { ensureGuardian } from './guardian/spawn.js';
export { runGuardian } from './guardian/guardian.js';
export type { GuardianOptions, GuardianStats } from './guardian/guardian.js';
export { planGuardian } from './guardian/plan.js';
export type { GuardianPlan, OwnerState } from './guardian/plan.js';
export { faultIdOf, objectName, shortKey } from './naming.js';
