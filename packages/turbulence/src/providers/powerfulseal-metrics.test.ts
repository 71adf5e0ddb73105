/** PowerfulSeal's metric names counted from a journal: kills, empty matches and filters, probability, scenarios. */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../experiment/journal.js';
import { sealMetricsText } from './powerfulseal-metrics.js';

const record = (status: 'succeeded' | 'failed', output: unknown, exception?: string[]) => ({
  activity: { type: 'action', name: 'scenario', provider: { type: 'powerfulseal', scenarios: [] } },
  status,
  output,
  ...(exception ? { exception } : {}),
});

describe('PowerfulSeal metrics', () => {
  it('counts what the runs did under PowerfulSeal names', async () => {
    const journal = {
      run: [
        record('succeeded', {
          scenario: 'kill one',
          steps: [
            { step: 'podAction', matched: 3, selected: ['default/web-a'], killed: ['default/web-a'] },
            { step: 'podAction', matched: 0, selected: [], killed: [] },
            { step: 'podAction', matched: 3, selected: [], killed: [], detail: 'probability 0.1 not passed' },
            { step: 'podAction', matched: 3, selected: [], killed: [], detail: 'outside the dayTime window' },
          ],
        }),
        record('failed', null, ['ActivityFailed: pod.delete on pod default/web-b: forbidden\n']),
      ],
    } as unknown as Journal;
    const text = await sealMetricsText(journal);
    expect(text).toContain('seal_pod_kills_total{status="success",namespace="default",name="web-a"} 1');
    expect(text).toContain('seal_pod_kills_total{status="failure",namespace="default",name="web-b"} 1');
    expect(text).toContain('seal_empty_match_total{source="pods"} 1');
    expect(text).toContain('seal_empty_match_total{source="nodes"} 0');
    expect(text).toContain('seal_probability_filter_not_passed_total 1');
    expect(text).toContain('seal_empty_filter_total 1');
    expect(text).toContain('seal_scenario_runs_total{name="kill one",result="success"} 1');
    expect(text).toContain('seal_scenario_runs_total{name="scenario",result="fail"} 1');
  });
});
