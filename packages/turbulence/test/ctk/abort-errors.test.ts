/**
 * Which errors abort a run, as chaostoolkit-lib decides it: `chaoslib/activity.py` `execute_activity` catches only
 * `ActivityFailed` (the activity is `failed`, the run goes on); any other exception escapes and the run ends
 * `aborted` (exit 1). In the hypothesis, `chaoslib/hypothesis.py` `within_tolerance` raises Python errors for a
 * regex against a dict, a range check on null, or a probe tolerance without `arguments`: aborted too.
 * Also here: `$$` in process arguments stays when there is no configuration (chaoslib/provider/process.py
 * `if arguments and (configuration or secrets): substitute(...)`) and the non-zero exit warning of the same file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEvents } from '../../src/experiment/events.js';
import { runExperiment } from '../../src/experiment/run.js';
import type { Experiment } from '../../src/experiment/types.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'turb-ctk-abort-'));
  await writeFile(
    join(home, 'values.mjs'),
    'export const dict = () => ({ a: 1 });\nexport const none = () => null;\nexport const text = () => "12ms";\n',
  );
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function run(experiment: Partial<Experiment>) {
  const events = new RunEvents();
  const warnings: string[] = [];
  events.on((e) => {
    if (e.type === 'run.warning') warnings.push(e.message);
  });
  const full = { title: 't', description: 'd', method: [], ...experiment } as Experiment;
  const result = await runExperiment(full, { events, home, baseDir: home });
  return { ...result, warnings };
}

const echo = (name: string, args: string[]) =>
  ({ type: 'action', name, provider: { type: 'process', path: 'echo', arguments: args } }) as const;

describe('errors that are not ActivityFailed abort the run (chaoslib/activity.py execute_activity)', () => {
  it('a process path missing at run time aborts the method; the next activity never runs', async () => {
    const { journal, exitCode } = await run({
      method: [
        { type: 'action', name: 'gone', provider: { type: 'process', path: 'no-such-turb-program' } },
        echo('after', ['x']),
      ],
    });
    expect(journal.status).toBe('aborted');
    expect(journal.run.map((r) => r.activity.name)).toEqual(['gone']);
    expect(exitCode).toBe(1);
  });

  it('a malformed URL aborts (requests raises MissingSchema, not ConnectionError)', async () => {
    const { journal } = await run({
      method: [{ type: 'probe', name: 'u', provider: { type: 'http', url: 'localhost:8080/health' } }],
    });
    expect(journal.status).toBe('aborted');
  });

  it('a failing process (ActivityFailed: timeout) only fails its activity', async () => {
    const { journal } = await run({
      method: [
        { type: 'action', name: 'slow', provider: { type: 'process', path: 'sleep', arguments: ['5'], timeout: 0.2 } },
        echo('after', ['x']),
      ],
    });
    expect(journal.status).toBe('completed');
    expect(journal.run.map((r) => r.status)).toEqual(['failed', 'succeeded']);
  });
});

describe('tolerance errors in the hypothesis abort (chaoslib/hypothesis.py within_tolerance)', () => {
  // outputs come from a JS module probe: a dict, null
  const value = (func: string) => ({ type: 'module' as const, module: './values.mjs', func });
  it.each([
    ['a regex against a dict (re.search TypeError)', { type: 'regex', pattern: 'ok' }, 'dict'],
    ['a range check on null (Decimal(None) TypeError)', { type: 'range', range: [0, 1] }, 'none'],
    ['a probe tolerance without arguments (KeyError)', { type: 'probe', name: 't', provider: value('dict') }, 'dict'],
  ])('%s', async (_what, tolerance, func) => {
    const { journal, exitCode } = await run({
      'steady-state-hypothesis': {
        title: 'h',
        probes: [{ type: 'probe', name: 'p', tolerance, provider: value(func) }],
      },
      method: [echo('m', ['x'])],
    } as Partial<Experiment>);
    expect(journal.status).toBe('aborted');
    expect(journal.run).toEqual([]);
    expect(exitCode).toBe(1);
  });

  it('while a string that is not a decimal is only "not met" (Decimal raises InvalidOperation, caught)', async () => {
    const { journal } = await run({
      'steady-state-hypothesis': {
        title: 'h',
        probes: [{ type: 'probe', name: 'p', tolerance: { type: 'range', range: [0, 1] }, provider: value('text') }],
      },
      method: [echo('m', ['x'])],
    });
    expect(journal.status).toBe('completed');
    expect(journal.steady_states.before?.steady_state_met).toBe(false);
  });
});

describe('substitution of process arguments (chaoslib/provider/process.py)', () => {
  it('leaves $$ alone when there is neither configuration nor secrets', async () => {
    const { journal } = await run({ method: [echo('e', ['a$$b'])] });
    expect((journal.run[0]?.output as { stdout: string }).stdout).toBe('a$$b\n');
  });

  it('turns $$ into $ and renders a dict as Python str() when there is configuration', async () => {
    const { journal } = await run({
      configuration: { d: { a: 1, ok: true }, f: 0.25 },
      method: [echo('e', ['a$$b', 'd=${d}', 'f=${f}'])],
    });
    expect((journal.run[0]?.output as { stdout: string }).stdout).toBe("a$b d={'a': 1, 'ok': True} f=0.25\n");
  });

  it('warns when a process action exits non-zero, without failing it', async () => {
    const { journal, warnings } = await run({
      method: [{ type: 'action', name: 'no', provider: { type: 'process', path: 'false' } }],
    });
    expect(journal.run[0]?.status).toBe('succeeded');
    expect(warnings.join('\n')).toMatch(/process activity "no" exited with status 1/);
  });
});
