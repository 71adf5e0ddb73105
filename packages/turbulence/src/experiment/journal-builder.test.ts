import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE } from '../core/events.js';
import { RunEvents, type RunEvent } from './events.js';
import { JournalBuilder } from './journal-builder.js';
import { writeJournalLive } from './journal-file.js';
import { runExperiment } from './run.js';
import type { Experiment } from './types.js';

const home = mkdtempSync(join(tmpdir(), 'turb-journal-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const experiment: Experiment = {
  title: 'journal from events',
  description: 'a probe, an action, a rollback',
  'steady-state-hypothesis': {
    title: 'true holds',
    probes: [{ type: 'probe', name: 'ok', tolerance: 0, provider: { type: 'process', path: 'true' } }],
  },
  method: [{ type: 'action', name: 'act', provider: { type: 'process', path: 'true' } }],
  rollbacks: [{ type: 'action', name: 'undo', provider: { type: 'process', path: 'true' } }],
};

describe('the journal as a listener', () => {
  it('builds the same journal as the run returns, from the events alone', async () => {
    const events = new RunEvents();
    const seen: RunEvent[] = [];
    events.on((e) => seen.push(e));
    const outside = new JournalBuilder();
    events.on(outside.listener);
    const { journal } = await runExperiment(experiment, { events, home, seed: 7, rollbackStrategy: 'always' });
    expect(JSON.parse(JSON.stringify(outside.current))).toEqual(JSON.parse(JSON.stringify(journal)));
    expect(journal).toMatchObject({ status: 'completed', steady_state_gate: 'met', seed: 7 });
    expect(journal.run.map((r) => r.activity.name)).toEqual(['act']);
    expect(journal.rollbacks.map((r) => r.activity.name)).toEqual(['undo']);
    // Every event is in the envelope and listed in the catalogue.
    for (const e of seen) {
      expect(EVENT_CATALOGUE[e.type].source).toBe(e.source);
      const listed = new Set<string>(EVENT_CATALOGUE[e.type].fields.map((f) => f.replace('?', '')));
      for (const key of Object.keys(e)) if (!['source', 'type', 'at'].includes(key)) expect(listed).toContain(key);
      expect(Date.parse(e.at)).not.toBeNaN();
    }
  });

  it('writes the journal after each phase, status running until the run ends', async () => {
    const events = new RunEvents();
    const path = join(home, 'live.json');
    const file = writeJournalLive(events, path);
    const seenOnDisk: { status: string; run: number }[] = [];
    events.on((e) => {
      // While the 2 s action runs, the journal on disk already shows it (after its write is flushed).
      if (e.type === 'activity.started' && e.name === 'wait') {
        void file.flush().then(() => {
          const j = JSON.parse(readFileSync(path, 'utf8')) as { status: string; run: unknown[] };
          seenOnDisk.push({ status: j.status, run: j.run.length });
        });
      }
    });
    const slow: Experiment = {
      ...experiment,
      method: [
        ...experiment.method,
        { type: 'action', name: 'wait', provider: { type: 'process', path: 'sleep', arguments: '2' } },
      ],
    };
    await runExperiment(slow, { events, home, seed: 7, journal: file.builder });
    await file.flush();
    expect(seenOnDisk).toEqual([{ status: 'running', run: 2 }]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      status: 'completed',
      run: [{ status: 'succeeded' }, { status: 'succeeded' }],
    });
  });
});
