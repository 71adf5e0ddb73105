/**
 * @module `process.restart`: stop a supervised process and start it again (waiting for readiness); revert
 * makes sure it runs. Only processes turbulence supervises can be restarted: it must know how to start them.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import { noParams } from './schema.js';
import { ensureManagedRunning, isRecordAlive, restartManaged, findManaged } from '../../supervisor/managed.js';
import { procAvailable } from './capability.js';
import { attributesOf, resolveProcesses } from '../../targets/process.js';

/** `process.restart`. */
export const restartDriver: FaultDriver<Record<string, never>> = {
  kind: 'process.restart',
  summary: 'stop a supervised process and start it again; revert ensures it is running',
  params: noParams,
  reversible: true,
  check: procAvailable,
  targets: ['process'],
  async resolveTargets(query) {
    const targets = await resolveProcesses(query);
    const unmanaged = targets.filter((t) => attributesOf(t).managed === undefined);
    if (unmanaged.length > 0) {
      throw new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `process.restart only restarts supervised processes; not supervised: ${unmanaged.map((t) => t.name).join(', ')}`,
        { hint: 'target with managed=NAME a process that turbulence started (the demo, a lab, Supervisor.start)' },
      );
    }
    return targets;
  },
  async inject(target) {
    const name = attributesOf(target).managed as string;
    const record = await restartManaged(name);
    return { pid: record.pid, startTime: record.startTime };
  },
  async verify(fault) {
    return isRecordAlive(await findManaged(attributesOf(fault.target).managed as string));
  },
  async revert(fault) {
    await ensureManagedRunning(attributesOf(fault.target).managed as string);
  },
};
