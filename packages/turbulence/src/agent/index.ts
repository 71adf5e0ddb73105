/**
 * @module The node agent (`turbulence agent`): applies pod network faults requested through FaultRequest objects.
 */
export { Agent, type AgentLog, type AgentOptions } from './agent.js';
export { bareContainerId, containerPid } from './container.js';
