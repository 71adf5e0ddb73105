/**
 * PowerfulSeal's Prometheus metric names, for dashboards and alert rules written for PowerfulSeal's
 * `--prometheus-collector`: counted from a run's journal (the `powerfulseal` provider's records) and written in the
 * Prometheus text format by `turbulence run --powerfulseal-metrics FILE` (a file for node_exporter's textfile
 * collector or a Pushgateway, since a run is a batch job, not a server to scrape).
 *
 *   seal_pod_kills_total{status="success"|"failure",namespace,name}
 *   seal_scenario_runs_total{name,result="success"|"fail"}
 *   seal_empty_match_total{source="pods"|"nodes"}
 *   seal_empty_filter_total
 *   seal_probability_filter_not_passed_total
 *
 * (`seal_nodes_stopped_total` and `seal_execute_failed_total` stay at zero: node stop and execute are not run.)
 */
import { Counter, Registry } from 'prom-client';
import type { Journal } from '../experiment/journal.js';
import type { SealRunOutput } from './powerfulseal.js';

/** The metrics of one run, in the Prometheus text exposition format. */
export async function sealMetricsText(journal: Journal): Promise<string> {
  const registry = new Registry();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const kills = counter('seal_pod_kills_total', 'Number of pods killed (including failures)', [
    'status',
    'namespace',
    'name',
  ] as const);
  counter('seal_nodes_stopped_total', 'Number of nodes stopped (including failures)', [
    'status',
    'id',
    'name',
  ] as const);
  counter('seal_execute_failed_total', 'Increasing counter for command execution failures', ['id', 'name'] as const);
  const emptyFilter = counter(
    'seal_empty_filter_total',
    'Increasing counter for cases where filtering returns an empty result',
  );
  const probability = counter(
    'seal_probability_filter_not_passed_total',
    'Increasing counter for cases where the probability filter does not pass any nodes',
  );
  const emptyMatch = counter(
    'seal_empty_match_total',
    'Increasing counter for cases where matching returns an empty result',
    ['source'] as const,
  );
  const scenarios = counter('seal_scenario_runs_total', 'Counter of runs of scenarios (both success and failure)', [
    'name',
    'result',
  ] as const);
  emptyMatch.labels('pods').inc(0);
  emptyMatch.labels('nodes').inc(0);
  for (const r of journal.run) {
    if (r.activity.provider.type !== 'powerfulseal') continue;
    const out = (r.output ?? {}) as Partial<SealRunOutput>;
    scenarios.labels(out.scenario ?? r.activity.name, r.status === 'succeeded' ? 'success' : 'fail').inc();
    for (const step of out.steps ?? []) {
      if (step.step !== 'podAction' && step.step !== 'labelMode') continue;
      if (step.matched === 0) emptyMatch.labels('pods').inc();
      else if ((step.selected ?? []).length === 0) {
        if (/probability .* not passed/.test(step.detail ?? '')) probability.inc();
        else emptyFilter.inc();
      }
      for (const pod of step.killed ?? []) {
        const [namespace = '', name = ''] = pod.split('/');
        kills.labels('success', namespace, name).inc();
      }
    }
  }
  // A kill that failed fails its scenario; the pod is named in the error (`pod.delete` on pod ns/name).
  for (const r of journal.run) {
    if (r.activity.provider.type !== 'powerfulseal' || r.status !== 'failed') continue;
    const m = /pod ([a-z0-9-]+)\/([a-z0-9.-]+)/.exec((r.exception ?? []).join(''));
    if (m) kills.labels('failure', m[1] ?? '', m[2] ?? '').inc();
  }
  return registry.metrics();
}
