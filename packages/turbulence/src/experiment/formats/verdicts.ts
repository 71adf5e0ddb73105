/**
 * Litmus-style results of a run of a translated LitmusChaos ChaosEngine: one verdict per fault (Litmus's
 * ChaosResult `experimentStatus`: `Pass | Fail | Stopped | Error`, `probeSuccessPercentage`, `failStep`) and the
 * run's resilience score (the weighted mean of the faults' probe success, Litmus's formula; every fault weighs 10
 * as in ChaosCenter's default). The translator lists each fault's actions in the `litmus` extension.
 */
import type { Journal } from '../journal.js';
import type { Experiment } from '../types.js';
import type { LitmusExtension, LitmusResults, LitmusVerdict } from './verdict-types.js';

export type { LitmusExtension, LitmusResults, LitmusVerdict } from './verdict-types.js';

/** The `litmus` extension of an experiment, if it was translated from a ChaosEngine. */
export function litmusExtension(e: Experiment): LitmusExtension | undefined {
  return e.extensions?.find((x) => x.name === 'litmus') as LitmusExtension | undefined;
}

/**
 * Verdicts and resilience score from a finished run's journal.
 *
 * @example
 * litmusVerdicts(ext, journal); // { results: [{ fault: 'pod-delete', verdict: 'Pass', ... }], resilienceScore: 100 }
 */
export function litmusVerdicts(ext: LitmusExtension, journal: Journal): LitmusResults {
  const stopped = journal.status === 'aborted' || journal.status === 'interrupted';
  const results = ext.faults.map((f): LitmusVerdict => {
    const records = journal.run.filter((r) => f.actions.includes(r.activity.name));
    const failed = records.find((r) => r.status === 'failed');
    const complete = records.length === f.actions.length && records.every((r) => r.status === 'succeeded');
    const probes = (journal.probes ?? []).filter((p) => (f.probes ?? []).includes(p.name));
    const failedProbe = probes.find((p) => !p.passed && Object.values(p.status).includes('Failed'));
    const passedProbes = probes.filter((p) => p.passed).length;
    // Litmus: the verdict is the AND of the fault's own steps and every probe; a failed probe fails it even when
    // its stopOnFailure stopped the run.
    // Stopped (engineState: stop, Ctrl-C, an abort) before its chaos was over: a fault of it was cut short.
    const cut =
      stopped &&
      (journal.faults ?? []).some(
        (jf) => f.actions.includes(jf.activity) && (jf.reverted_by === 'interrupt' || jf.reverted_by === 'abort'),
      );
    const verdict =
      failed || failedProbe
        ? 'Fail'
        : complete && !cut && passedProbes === probes.length
          ? 'Pass'
          : stopped
            ? 'Stopped'
            : 'Error';
    const failStep = failed
      ? `${failed.activity.name}: ${(failed.exception ?? []).join('').trim()}`
      : failedProbe
        ? `probe ${failedProbe.name} (${failedProbe.mode}) failed: ${failedProbe.failure ?? ''}`
        : verdict === 'Pass'
          ? 'N/A'
          : cut
            ? `stopped during the chaos: ${journal.abort?.reason ?? 'the run was interrupted'}`
            : `${f.actions.length - records.length} of ${f.actions.length} injections did not run`;
    // Litmus: passed probes × 100 / probes (integer division); without probes, 100 on Pass and 0 otherwise.
    const probeSuccessPercentage =
      probes.length > 0 ? Math.floor((passedProbes * 100) / probes.length) : verdict === 'Pass' ? 100 : 0;
    return {
      fault: f.name,
      verdict,
      probeSuccessPercentage,
      failStep,
      weight: f.weight,
      ...(probes.length > 0 ? { probeStatuses: probes } : {}),
    };
  });
  const total = results.reduce((s, r) => s + r.weight, 0);
  const score = total === 0 ? 0 : results.reduce((s, r) => s + r.weight * r.probeSuccessPercentage, 0) / total;
  return { engine: ext.engine, results, resilienceScore: Math.round(score * 100) / 100 };
}
