/**
 * Python controls through the real CLI, with the stdlib-only control shipped in examples/ctk-python-controls
 * (`audit_control.py`). The Chaos Toolkit behaviour it checks:
 *
 * - every hook is called, in chaoslib's order (chaoslib/run.py + chaoslib/control/__init__.py `controls()`):
 *   configure_control, before/after experiment, hypothesis, method, rollback, and activity (hypothesis probes
 *   included, chaoslib/activity.py execute_activity), then cleanup_control;
 * - hooks get chaoslib's arguments (chaoslib/control/python.py apply_python_control: `context=`, the provider
 *   `arguments` as keywords, `state`, `configuration`, ... when the signature names them);
 * - module state lives for the whole run (one process in Chaos Toolkit, one worker here): the counter never resets;
 * - `InterruptExecution` raised from before_activity_control stops the run as `interrupted` before the activity
 *   runs (chaostoolkit-lib tests/fixtures/controls/interrupter.py, test_control.py);
 * - global controls come from the settings file (`controls:`) and `--control-file` (chaoslib/control/__init__.py
 *   load_global_controls).
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../support/cli.js';
import { requireSystem } from '../support/system.js';

const sys = requireSystem('python3');
const EXAMPLE = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'ctk-python-controls');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-ctk-controls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Line {
  n: number;
  hook: string;
  name: string | null;
  status?: string;
}
const readLog = async (path: string): Promise<Line[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
const hooks = (lines: Line[]) => lines.map((l) => (l.name ? `${l.hook} ${l.name}` : l.hook));

describe.skipIf(sys.skip)('Python controls (examples/ctk-python-controls/audit_control.py)', () => {
  it(
    'call every hook in chaoslib order, with module state kept for the whole run',
    async () => {
      const log = join(dir, 'full.jsonl');
      const journal = join(dir, 'full.json');
      const r = await runCli(
        ['run', join(EXAMPLE, 'experiment.yaml'), '--var', `log_path=${log}`, '--journal-path', journal],
        {},
      );
      expect(r.code, r.out).toBe(0);
      const lines = await readLog(log);
      const title = 'Python controls see every hook, and can stop the run';
      expect(hooks(lines)).toEqual([
        `configure_control ${title}`,
        `before_experiment_control ${title}`,
        'before_hypothesis_control the shell works',
        'before_activity_control shell-answers',
        'after_activity_control shell-answers',
        'after_hypothesis_control the shell works',
        'before_method_control',
        'before_activity_control first-action',
        'after_activity_control first-action',
        'before_activity_control second-action',
        'after_activity_control second-action',
        'after_method_control',
        'before_hypothesis_control the shell works',
        'before_activity_control shell-answers',
        'after_activity_control shell-answers',
        'after_hypothesis_control the shell works',
        'before_rollback_control',
        'before_activity_control put-back',
        'after_activity_control put-back',
        'after_rollback_control',
        `after_experiment_control ${title}`,
        'cleanup_control',
      ]);
      expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i + 1)); // one interpreter for the whole run
      expect(lines.find((l) => l.hook === 'after_experiment_control')?.status).toBe('completed');
    },
    cliTimeout(1),
  );

  it(
    'stop the run from before_activity_control with InterruptExecution: interrupted, the activity never runs',
    async () => {
      const log = join(dir, 'stop.jsonl');
      const journalPath = join(dir, 'stop.json');
      const args = [
        'run',
        join(EXAMPLE, 'experiment.yaml'),
        '--var',
        `log_path=${log}`,
        '--var',
        'stop_at=second-action',
      ];
      const r = await runCli([...args, '--journal-path', journalPath, '--ctk-exit-codes']);
      expect(r.code, r.out).toBe(1); // chaos run exits 1 for an interrupted run; ours is 130 without the flag
      expect(r.out).toContain("chaoslib.exceptions.InterruptExecution: audit control: stopping before 'second-action'");
      const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
        status: string;
        run: { activity: { name: string } }[];
      };
      expect(journal.status).toBe('interrupted');
      expect(journal.run.map((x) => x.activity.name)).toEqual(['first-action']);
      const lines = hooks(await readLog(log));
      expect(lines).toContain('before_activity_control second-action');
      expect(lines).not.toContain('after_activity_control second-action');
      expect(lines.at(-1)).toBe('cleanup_control');
    },
    cliTimeout(1),
  );

  it(
    'apply global controls from the settings file and from --control-file to an experiment without controls',
    async () => {
      const exp = join(dir, 'plain.json');
      await writeFile(
        exp,
        JSON.stringify({
          title: 'plain',
          description: 'no controls of its own',
          method: [{ type: 'action', name: 'only', provider: { type: 'process', path: 'true' } }],
        }),
      );
      const home = join(dir, 'home');
      await mkdir(join(home, '.chaostoolkit'), { recursive: true });
      const fromSettings = join(dir, 'settings.jsonl');
      const fromFile = join(dir, 'file.jsonl');
      const provider = (path: string) => ({ type: 'python', module: 'audit_control', arguments: { path } });
      await writeFile(
        join(home, '.chaostoolkit', 'settings.yaml'),
        `controls:\n  from-settings:\n    provider: ${JSON.stringify(provider(fromSettings))}\n`,
      );
      const controlFile = join(dir, 'controls.yaml');
      await writeFile(controlFile, `controls:\n  from-file:\n    provider: ${JSON.stringify(provider(fromFile))}\n`);
      const r = await runCli(['run', exp, '--control-file', controlFile, '--journal-path', join(dir, 'plain-j.json')], {
        env: { ...process.env, HOME: home, PYTHONPATH: EXAMPLE },
      });
      expect(r.code, r.out).toBe(0);
      // both controls share one module, so its `_path` (module state) ends as the second one's: both
      // cleanup_control calls land in that file, as they would in Chaos Toolkit's single process
      const cleanups: string[] = [];
      for (const log of [fromSettings, fromFile]) {
        const lines = hooks(await readLog(log));
        cleanups.push(...lines.filter((l) => l === 'cleanup_control'));
        expect(lines.filter((l) => l !== 'cleanup_control')).toEqual([
          'configure_control plain',
          'before_experiment_control plain',
          'before_method_control',
          'before_activity_control only',
          'after_activity_control only',
          'after_method_control',
          'after_experiment_control plain',
        ]);
      }
      expect(cleanups).toHaveLength(2);
    },
    cliTimeout(1),
  );
});
