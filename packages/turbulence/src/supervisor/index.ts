/**
 * @module The one supervisor: processes turbulence starts and supervises itself (the demo's replicas, lab
 * services, with `netns`). Faults reach them as `{ managed: name }` targets; `process.restart` restarts them and
 * `turbulence recover` stops those whose supervisor is gone. See docs/supervisor.md.
 */
export { Supervisor, supervisedPids, supervisorOf } from './supervisor.js';
export type { SupervisorEvents } from './supervisor.js';
export { findManaged, restartManaged, ensureManagedRunning, isRecordAlive, recoverManaged } from './managed.js';
export type { ManagedRecovery } from './managed.js';
export { managedSpecSchema, readRecord } from './record.js';
export type { ManagedRecord, ManagedSpec, ManagedSpecInput, Readiness } from './record.js';
export { waitReady, isReady, describeReadiness } from './readiness.js';
export type { ReadinessOptions } from './readiness.js';
export { decideRestart, RESTART_WINDOW_MS, MAX_RESTARTS_IN_WINDOW } from './restart.js';
export type { RestartPolicy, RestartDecision } from './restart.js';
