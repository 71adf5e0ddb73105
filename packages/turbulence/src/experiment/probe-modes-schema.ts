/**
 * @module Ours (after LitmusChaos): probe modes and run properties, pure schemas. A method probe with a `mode` is
 * not run in sequence; it is scheduled around the activities that follow it (see `probe-modes.ts`,
 * docs/experiments.md "Probe modes"). The same shapes carry translated Litmus probes.
 */
import { z } from 'zod';
import { strictObject } from './strict.js';

/** When a modal probe runs: before, after, both, throughout, or while faults are in effect. */
export const PROBE_MODES = ['SOT', 'EOT', 'Edge', 'Continuous', 'OnChaos'] as const;
export type ProbeMode = (typeof PROBE_MODES)[number];

/** A duration as Litmus writes it: seconds as a number (2.x) or a string like `1s`, `100ms` (3.x). */
const SPAN = 'a duration: seconds as a number, or a string like 5s or 100ms';
const span = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, { message: SPAN })], {
  error: SPAN,
});

/** Litmus `runProperties`; both spellings of Litmus 2.x and 3.x are accepted. */
export const runPropertiesSchema = strictObject(
  {
    /** Time one attempt may take. */
    probeTimeout: span.optional(),
    /** Wait between two attempts of one evaluation. */
    interval: span.optional(),
    /** Attempts of one evaluation (3.x); the first that passes passes it. */
    attempt: z.number().int().min(1).optional(),
    /** Attempts of one evaluation (2.x spelling of `attempt`). */
    retry: z.number().int().min(0).optional(),
    /** Wait between two evaluations of a Continuous or OnChaos probe. */
    probePollingInterval: span.optional(),
    /** Wait before the probe's first evaluation. */
    initialDelay: span.optional(),
    /** Wait before the probe's first evaluation (2.x spelling, seconds). */
    initialDelaySeconds: z.number().nonnegative().optional(),
    /** A failure aborts the run at once (faults reverted), instead of only failing the verdict. */
    stopOnFailure: z.boolean().optional(),
    /** Accepted for Litmus files; not used (turbulence has no evaluation window beyond the mode). */
    evaluationTimeout: span.optional(),
    /** Accepted for Litmus files; not used. */
    verbosity: z.string().optional(),
  },
  'runProperties',
);
export type RunProperties = z.output<typeof runPropertiesSchema>;

/** The fields a probe activity gains (merged into the activity schema). */
export const probeModeFields = {
  mode: z
    .enum(PROBE_MODES, { error: `mode must be one of: ${PROBE_MODES.join(', ')}` })
    .optional()
    .meta({
      description:
        'Ours (Litmus probe modes), method probes only: SOT before the activities that follow, EOT after them, Edge both, Continuous throughout, OnChaos while faults are in effect.',
    }),
  runProperties: runPropertiesSchema
    .optional()
    .meta({ description: 'Ours (Litmus runProperties): timeout, attempts, intervals, initial delay, stopOnFailure.' }),
};

/** Litmus's names of the moments a probe is evaluated at. */
export type ProbePhase = 'PreChaos' | 'PostChaos' | 'Continuous' | 'OnChaos';

/** The result of one modal probe (Litmus's ChaosResult `probeStatuses[]`), in the journal's `probes`. */
export interface ProbeStatus {
  name: string;
  /** The Litmus probe type (httpProbe, cmdProbe, k8sProbe, promProbe) or the provider type. */
  type: string;
  mode: ProbeMode;
  /** Per phase: `Passed`, `Failed`, or `N/A` when it never ran (the run stopped first). */
  status: Partial<Record<ProbePhase, 'Passed' | 'Failed' | 'N/A'>>;
  passed: boolean;
  /** Why it failed (the first failing evaluation). */
  failure?: string;
  /** Evaluations run (a Continuous or OnChaos probe counts each poll). */
  evaluations: number;
}
