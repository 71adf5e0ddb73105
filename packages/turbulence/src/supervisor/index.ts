/**
 * @module Processes turbulence starts and supervises itself (the demo's replicas, lab services). Faults reach
 * them as `{ managed: name }` targets; `process.restart` and `turbulence recover` restart them.
 */
export { Supervisor, supervisedPids, supervisorOf } from './supervisor.js';
export type { SupervisorEvents } from './supervisor.js';
export { findManaged, restartManaged, ensureManagedRunning, isRecordAlive, recoverManaged } from './managed.js';
export type { ManagedRecovery } from './managed.js';
export { managedSpecSchema, readRecord } from './record.js';
export type { ManagedRecord, ManagedSpec, ManagedSpecInput, Readiness } from './record.js';
export { waitReady, isReady } from './readiness.js';
