/**
 * The namespace lab: hosts on a private bridge where real services run and real network faults apply.
 */
export { parseLabSpec, loadLabFile, assignAddresses } from './spec.js';
export type { LabSpec, HostSpec, ServiceSpec, ReadySpec, LabDnsSpec } from './spec.js';
export { labUp, labDown, labStatus, labExecArgv, recoverLabs, labSupervisorAlive } from './lab.js';
export type { RunningLab, LabUpOptions, LabDownResult, LabStatus, HostStatus, LabRecovery } from './lab.js';
export { readLabState, labStatePath, listLabs } from './state.js';
export type { LabState, HostState, ServiceState, LabDnsState } from './state.js';
export { hostNetns, switchNetns, rootLinkName, serviceProcessName } from './names.js';
