/**
 * @module `process.stop`: pause a process with SIGSTOP; revert resumes it with SIGCONT.
 */
import type { FaultDriver } from '../../core/fault.js';
import { procAvailable } from './capability.js';
import { readProc, waitFor } from '../../os/proc.js';
import { noParams } from './schema.js';
import { signalTarget, targetGone } from './signals.js';
import { attributesOf, resolveProcesses } from '../../targets/process.js';

const params = noParams;

/** `process.stop`. */
export const stopDriver: FaultDriver<Record<string, never>> = {
  kind: 'process.stop',
  summary: 'pause a process (SIGSTOP); revert resumes it (SIGCONT)',
  params,
  reversible: true,
  check: procAvailable,
  targets: ['process'],
  resolveTargets: (query) => resolveProcesses(query),
  // One SIGSTOP per process: the first fault's SIGCONT would end the second.
  exclusive: (target) => `process-stopped:${target.id}`,
  async inject(target) {
    const t = attributesOf(target);
    if (!(await signalTarget(t, 'SIGSTOP'))) throw targetGone(t, 'process.stop');
  },
  async verify(fault) {
    const t = attributesOf(fault.target);
    return waitFor(async () => {
      const info = await readProc(t.pid);
      return info?.startTime === t.startTime && info.state === 'T';
    }, 1000);
  },
  async revert(fault) {
    // A process that is gone (or whose pid was reused) needs nothing: signalTarget checks the start time.
    await signalTarget(attributesOf(fault.target), 'SIGCONT');
  },
};
