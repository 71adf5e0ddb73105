/**
 * Experiment groups through the CLI: `monkey run` runs the whole experiment (`turbulence run FILE --seed N
 * --journal-path J`) at each planned instant, records its exit code, and keeps its journal in the monkey's state;
 * a group naming an experiment that does not load is refused at start with the schedule's file:line:col.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monkeyDir } from '../../src/monkey/state.js';
import { cliTimeout, runCli } from '../support/cli.js';
import { tempHome } from '../system/faults/helpers.js';

const EXPERIMENT = (out: string) => `title: the monkey's experiment
description: appends one line per run
method:
  - type: action
    name: record
    provider: { type: process, path: /bin/sh, arguments: ["-c", "echo ran >> ${out}"] }
`;

const SCHEDULE = (experiment: string) => `timezone: UTC
window: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
groups:
  - name: drill
    experiment: ${experiment}
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
`;

interface Line {
  type: string;
  group?: string;
  kind?: string;
  reason?: string;
  seed?: number;
  journal?: string;
}

describe('monkey experiment groups', () => {
  let env: ReturnType<typeof tempHome>;
  beforeAll(() => {
    env = tempHome();
    writeFileSync(join(env.home, 'drill.yaml'), EXPERIMENT(join(env.home, 'ran.txt')));
    writeFileSync(join(env.home, 'monkey.yaml'), SCHEDULE('drill.yaml')); // relative to the schedule
    writeFileSync(join(env.home, 'broken.yaml'), SCHEDULE('missing.yaml'));
  });
  afterAll(() => env.restore());

  it(
    'runs the experiment at each planned instant with its own seed and journal; a missing one exits 2',
    { timeout: cliTimeout(3, 20_000) },
    async () => {
      const args = ['--seed', '4', '--start', '2026-12-07', '--days', '2', '--clock-speed', '60000', '--json'];
      const [r, bad] = await Promise.all([
        runCli(['monkey', 'run', join(env.home, 'monkey.yaml'), ...args]),
        runCli(['monkey', 'plan', join(env.home, 'broken.yaml'), '--days', '3']),
      ]);
      expect(r.code, r.stderr).toBe(0);
      const events = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
      const injected = events.filter((e) => e.type === 'monkey.injected');
      expect(injected).toHaveLength(2); // MTBF 1: both workdays
      expect(injected.every((e) => e.kind === 'experiment' && Number.isInteger(e.seed))).toBe(true);
      expect(new Set(injected.map((e) => e.seed)).size).toBe(2);
      expect(events.filter((e) => e.type === 'monkey.reverted').map((e) => e.reason)).toEqual(['exit 0', 'exit 0']);
      expect(readFileSync(join(env.home, 'ran.txt'), 'utf8')).toBe('ran\nran\n');
      for (const e of injected) {
        const journal = JSON.parse(readFileSync(e.journal!, 'utf8')) as { status: string; seed: number };
        expect(journal).toMatchObject({ status: 'completed', seed: e.seed });
      }
      expect(
        readdirSync(join(monkeyDir('monkey', env.home), 'journal')).filter((f) => f.endsWith('.experiment.json')),
      ).toHaveLength(2);

      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(
        /broken\.yaml:5:5 \(at groups\[0\]\.experiment\): experiment "missing\.yaml" does not load/,
      );
    },
  );
});
