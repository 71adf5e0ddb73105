/**
 * @module `failpoint.set`: sets a failpoint (or a rule) in a running process through its control endpoint; revert
 * puts back what was there before (usually: nothing). A process that has exited needs no revert: its failpoints
 * died with it.
 *
 *   { "kind": "failpoint.set", "target": { "announce": "/tmp/api.failpoints.json" },
 *     "params": { "name": "db.commit", "actions": "1*error(EIO)" } }
 *   { "kind": "failpoint.set", "target": { "address": "http://127.0.0.1:43210" },
 *     "params": { "rule": { "name": "disk", "target": "fs.promises.writeFile", "action": "error(ENOSPC)" } } }
 */
import { ControlError, formatActions, parseActions } from '@turbulence/failpoints/control';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import type { AppliedFault, FaultDriver, Target } from '../../core/fault.js';
import type { JsonValue } from '../../core/json.js';
import { clientFor, resolveFailpointTargets } from '../../targets/failpoint.js';
import { failpointSetParamsOf } from './schema.js';

const actionsSchema = z
  .string()
  .min(1)
  .superRefine((spec, ctx) => {
    try {
      parseActions(spec);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    }
  });

/** Params of `failpoint.set`: a failpoint name and actions, or a rule. */
export const failpointSetParams = failpointSetParamsOf(actionsSchema);
export type FailpointSetParams = z.infer<typeof failpointSetParams>;

/** What inject saves for revert: the configuration it replaced. */
interface SavedState {
  previous: string | null;
}

/** True for a transport failure meaning the process (and so its failpoints) is gone. */
function processGone(err: unknown): boolean {
  if (!(err instanceof ControlError) || err.status !== 0) return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET';
}

function failed(
  code: typeof ErrorCodes.FAULT_INJECT_FAILED | typeof ErrorCodes.FAULT_REVERT_FAILED,
  target: Target,
  err: unknown,
): TurbulenceError {
  return new TurbulenceError(code, `failpoint.set on ${target.name}: ${errorMessage(err)}`, {
    hint:
      err instanceof ControlError && err.status === 501
        ? 'start the process with --import @turbulence/failpoints/register'
        : undefined,
    cause: err,
  });
}

async function inject(target: Target, params: FailpointSetParams): Promise<JsonValue> {
  const client = clientFor(target);
  try {
    if ('rule' in params) {
      const { name, ...rule } = params.rule;
      const before = await client.getRule(name);
      await client.setRule(name, rule);
      return {
        previous: before ? JSON.stringify({ target: before.target, when: before.when, action: before.action }) : null,
      };
    }
    const before = await client.get(params.name);
    await client.set(params.name, params.actions);
    return { previous: before?.actions ?? null };
  } catch (err) {
    throw failed(ErrorCodes.FAULT_INJECT_FAILED, target, err);
  }
}

async function revert(fault: AppliedFault<FailpointSetParams>): Promise<void> {
  const client = clientFor(fault.target);
  const previous = (fault.state as SavedState | undefined)?.previous ?? null;
  try {
    if ('rule' in fault.params) {
      const name = fault.params.rule.name;
      if (previous) await client.setRule(name, JSON.parse(previous) as object);
      else await client.removeRule(name);
      return;
    }
    if (previous && previous !== '(callback)') await client.set(fault.params.name, previous);
    else await client.remove(fault.params.name);
  } catch (err) {
    if (processGone(err)) return;
    throw failed(ErrorCodes.FAULT_REVERT_FAILED, fault.target, err);
  }
}

async function verify(fault: AppliedFault<FailpointSetParams>): Promise<boolean> {
  const client = clientFor(fault.target);
  if ('rule' in fault.params) {
    const rule = await client.getRule(fault.params.rule.name);
    return rule?.action === formatActions(parseActions(fault.params.rule.action));
  }
  const fp = await client.get(fault.params.name);
  return fp?.actions === formatActions(parseActions(fault.params.actions));
}

/** `failpoint.set`. */
export const failpointSetDriver: FaultDriver<FailpointSetParams> = {
  kind: 'failpoint.set',
  summary: 'set a failpoint or rule in a running process through its control endpoint; revert removes it',
  params: failpointSetParams,
  reversible: true,
  targets: ['failpoint'],
  resolveTargets: (query) => resolveFailpointTargets(query),
  inject,
  revert,
  verify,
  // One configuration per failpoint (or rule): a second fault would save the first's as "before" and restore it.
  exclusive: (target, p) => `failpoint:${target.id}:${'rule' in p ? `rule:${p.rule.name}` : p.name}`,
};
