/**
 * The contract of one object tolerance kind (`{type: "range" | "regex" | "jsonpath" | "probe", ...}`). A kind is
 * one file in this folder plus one line in the list in `../tolerance.ts`.
 */
import type { z } from 'zod';

/** Verdict of a tolerance check: whether it was met, and a short sentence saying why (for terminal and journal). */
export interface ToleranceResult {
  met: boolean;
  reason: string;
}

/** What a tolerance check may call on the outside world; everything else is pure. */
export interface ToleranceContext {
  /** `${...}` substitution with the run's configuration and secrets, already bound (typed for a lone `${name}`). */
  substitute: (value: unknown) => unknown;
  /**
   * Runs a probe-as-tolerance and returns its output. The probe's `provider.arguments.value` already holds the
   * probed value. Throw `activityFailed(...)` for a failed probe (the tolerance is then not met).
   */
  runProbe?(probe: ProbeRequest): Promise<unknown>;
}

/**
 * The probe a probe-as-tolerance asks to run (a `ProbeTolerance`, `./probe.ts`; declared structurally here so the
 * kinds' contract does not import the experiment types that list the kinds).
 */
export interface ProbeRequest {
  readonly type: 'probe';
  readonly name: string;
}

/** One object tolerance kind. */
export interface ToleranceKind<T extends { readonly type: string }> {
  readonly type: T['type'];
  /** Schema of the tolerance object (with `type`). */
  readonly schema: z.ZodType<T>;
  check(tolerance: T, output: unknown, ctx: ToleranceContext): Promise<ToleranceResult> | ToleranceResult;
  /** Short display form, e.g. `range [0, 10] of body`. */
  describe(tolerance: T): string;
}
