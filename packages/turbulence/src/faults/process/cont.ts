/**
 * @module `process.cont`: resume a paused process with SIGCONT (a repair action; nothing to revert).
 */
import type { FaultDriver } from '../../core/fault.js';
import { noParams } from './schema.js';
import { signalTarget, targetGone } from './signals.js';
import { procAvailable } from './capability.js';
import { attributesOf, resolveProcesses } from '../../targets/process.js';

/** `process.cont`. */
export const contDriver: FaultDriver<Record<string, never>> = {
  kind: 'process.cont',
  summary: 'resume a paused process (SIGCONT); nothing to revert',
  params: noParams,
  reversible: false,
  check: procAvailable,
  targets: ['process'],
  resolveTargets: (query) => resolveProcesses(query),
  async inject(target) {
    const t = attributesOf(target);
    if (!(await signalTarget(t, 'SIGCONT'))) throw targetGone(t, 'process.cont');
  },
  async revert() {
    // Resuming is the repair; there is nothing to undo.
  },
};
