/**
 * `{type: "probe", name, provider}`: another probe decides. It receives the probed value as the argument
 * `value` (merged into `provider.arguments`, as Chaos Toolkit does) and the tolerance is met when it returns a
 * truthy value (Python truthiness). A failed probe (`activityFailed`) means not met; other errors propagate.
 */
import { z } from 'zod';
import { isTurbulenceError, ErrorCodes } from '../../core/errors.js';
import { providerSchema } from '../../providers/schemas.js';
import type { ToleranceKind } from './kind.js';
import { isDict, pyTruthy, show, toleranceError } from './pyvalue.js';
import { strictObject } from '../strict.js';

/** The probe to run for a probe tolerance: a copy whose `provider.arguments.value` holds the probed value. */
export function probeWithValue(tol: ProbeTolerance, value: unknown): ProbeTolerance {
  const provider = tol.provider as ProbeTolerance['provider'] & { arguments?: unknown };
  if (!isDict(provider.arguments)) {
    // chaoslib/hypothesis.py writes tolerance["provider"]["arguments"]["value"]: KeyError without arguments.
    throw toleranceError(
      `probe tolerance '${tol.name}' has no provider.arguments to receive the value (add "arguments": {})`,
      "KeyError: 'arguments'",
    );
  }
  const args = provider.arguments;
  return { ...tol, provider: { ...provider, arguments: { ...args, value } } as ProbeTolerance['provider'] };
}

const schema = strictObject(
  {
    type: z.literal('probe'),
    name: z.string().min(1, { message: 'a probe tolerance needs a non-empty name' }),
    provider: providerSchema,
  },
  'a probe tolerance',
);
/** A `probe` tolerance, derived from its schema. */
export type ProbeTolerance = z.output<typeof schema>;

/** The `probe` tolerance kind. */
export const probeKind: ToleranceKind<ProbeTolerance> = {
  type: 'probe',
  schema,
  async check(tol, output, ctx) {
    if (!ctx.runProbe) return { met: false, reason: `probe '${tol.name}' cannot run here (no run to run it)` };
    let result: unknown;
    try {
      result = await ctx.runProbe(probeWithValue(tol, output));
    } catch (err) {
      if (!isTurbulenceError(err, ErrorCodes.ACTIVITY_FAILED)) throw err;
      return { met: false, reason: `probe '${tol.name}' failed: ${err.message}` };
    }
    const met = pyTruthy(result);
    return { met, reason: `probe '${tol.name}' returned ${show(result)}` };
  },
  describe: (tol) => `probe ${tol.name}`,
};
