import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type RunOptions } from '../../src/experiment/run.js';
import { RunEvents, type RunEvent } from '../../src/experiment/events.js';
import type { Activity, Experiment } from '../../src/experiment/types.js';

const baseDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const home = mkdtempSync(join(tmpdir(), 'turb-runner-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface TestState {
  counter: number;
  calls: string[];
  healthy: boolean;
  values: Record<string, unknown>;
  start?: number;
}
const g = globalThis as unknown as { __turbulenceTest?: TestState };
const state = (): TestState => g.__turbulenceTest!;

beforeEach(() => {
  g.__turbulenceTest = { counter: 0, calls: [], healthy: true, values: {} };
});

const mod = (func: string, args: Record<string, unknown> = {}) => ({
  type: 'module' as const,
  module: './probes.mjs',
  func,
  arguments: args,
});
const probe = (name: string, func: string, extra: Partial<Activity> = {}, args: Record<string, unknown> = {}) =>
  ({ type: 'probe', name, provider: mod(func, args), ...extra }) as Activity;
const action = (name: string, func: string, extra: Partial<Activity> = {}, args: Record<string, unknown> = {}) =>
  ({ type: 'action', name, provider: mod(func, args), ...extra }) as Activity;

function experiment(parts: Partial<Experiment>): Experiment {
  return {
    title: 'test',
    description: 'runner lifecycle',
    'steady-state-hypothesis': { title: 'healthy', probes: [probe('is-healthy', 'healthy', { tolerance: true })] },
    method: [],
    ...parts,
  };
}

async function run(e: Experiment, opts: RunOptions = {}) {
  const events = new RunEvents();
  const seen: RunEvent[] = [];
  events.on((ev) => seen.push(ev));
  const result = await runExperiment(e, { baseDir, home, seed: 1, events, ...opts });
  return { ...result, events: seen };
}

describe('run lifecycle', () => {
  it('completes with exit 0 when the steady state holds before and after', async () => {
    const { journal, exitCode } = await run(experiment({ method: [action('noop', 'record', {}, { label: 'a' })] }));
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    expect(journal.steady_states.before?.steady_state_met).toBe(true);
    expect(journal.steady_states.after?.steady_state_met).toBe(true);
    expect(journal.run).toHaveLength(1);
    expect(journal.run[0]!.status).toBe('succeeded');
    expect(journal.seed).toBe(1);
    expect(exitCode).toBe(0);
  });

  it('deviates (exit 1) when the method breaks the steady state, and default rollbacks run', async () => {
    const { journal, exitCode } = await run(
      experiment({ method: [action('break', 'breakIt')], rollbacks: [action('repair', 'repair')] }),
    );
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(true);
    expect(journal.rollbacks_decision?.run).toBe(true);
    expect(journal.rollbacks).toHaveLength(1);
    expect(exitCode).toBe(1);
  });

  it('skips the method when the steady state is not met before it, like Chaos Toolkit (exit 0, strict: 1)', async () => {
    state().healthy = false;
    const e = experiment({ method: [action('never', 'record', {}, { label: 'never' })] });
    const compat = await run(e);
    expect(compat.journal.status).toBe('completed');
    expect(compat.journal.steady_state_gate).toBe('not-met');
    expect(compat.journal.run).toHaveLength(0);
    expect(compat.exitCode).toBe(0);
    state().healthy = false;
    const strict = await run(e, { strict: true });
    expect(strict.journal.status).toBe('failed');
    expect(strict.exitCode).toBe(1);
  });

  it('keeps going after a failed action, and marks it failed', async () => {
    const { journal } = await run(
      experiment({
        method: [action('boom', 'fail', {}, { message: 'nope' }), action('next', 'record', {}, { label: 'n' })],
      }),
    );
    expect(journal.run.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(journal.run[0]!.exception?.[0]).toContain('nope');
    expect(journal.status).toBe('completed');
  });

  it('aborts on an unresolved ref in the method', async () => {
    const { journal, exitCode } = await run(experiment({ method: [{ ref: 'missing' }] }));
    expect(journal.status).toBe('aborted');
    expect(journal.abort?.reason).toContain('missing');
    expect(exitCode).toBe(1);
  });

  it('passes earlier outputs to later activities and rollbacks through ${steps.NAME.output...}', async () => {
    const { journal } = await run(
      experiment({
        method: [
          action('first', 'record', {}, { label: 'first', value: 42 }),
          action('second', 'record', {}, { label: 'second', value: '${steps.first.output.value}' }),
        ],
        rollbacks: [action('undo', 'record', {}, { label: 'undo', value: '${steps.first.output.id}' })],
      }),
    );
    expect(journal.run[1]!.output).toMatchObject({ value: 42 });
    expect(state().values).toMatchObject({ second: 42, undo: 'id-first' });
  });

  it('runs per-action reverts only for actions that ran, in reverse order, before rollbacks', async () => {
    const { journal } = await run(
      experiment({
        method: [
          action('a', 'record', { revert: action('undo-a', 'record', {}, { label: 'undo-a' }) }, { label: 'a' }),
          action('b', 'record', { revert: action('undo-b', 'record', {}, { label: 'undo-b' }) }, { label: 'b' }),
          probe('gate', 'healthy', { tolerance: false, 'on-fail': 'fail' }),
          action('c', 'record', { revert: action('undo-c', 'record', {}, { label: 'undo-c' }) }, { label: 'c' }),
        ],
        rollbacks: [action('global', 'record', {}, { label: 'global' })],
      }),
      { rollbackStrategy: 'always' },
    );
    expect(journal.status).toBe('failed');
    expect(journal.reverts.map((r) => r.activity.name)).toEqual(['undo-b', 'undo-a']);
    const calls = state().calls.filter((c) => c.startsWith('undo') || c === 'global');
    expect(calls).toEqual(['undo-b', 'undo-a', 'global']);
  });

  it('ignores a missed tolerance on a method probe by default, and aborts with on-fail: abort', async () => {
    const lenient = await run(experiment({ method: [probe('p', 'count', { tolerance: 99 })] }));
    expect(lenient.journal.status).toBe('completed');
    expect(lenient.journal.run[0]!.tolerance_met).toBe(false);
    const strictProbe = await run(
      experiment({ method: [probe('p', 'count', { tolerance: 99, 'on-fail': 'abort' }), action('x', 'count')] }),
    );
    expect(strictProbe.journal.status).toBe('aborted');
    expect(strictProbe.journal.run).toHaveLength(1);
  });

  it('applies each rollback strategy', async () => {
    const e = experiment({ method: [action('break', 'breakIt')], rollbacks: [action('repair', 'repair')] });
    expect((await run(e, { rollbackStrategy: 'never' })).journal.rollbacks).toHaveLength(0);
    state().healthy = true; // nothing repaired it
    expect((await run(e, { rollbackStrategy: 'deviated' })).journal.rollbacks).toHaveLength(1);
    const ok = experiment({ method: [], rollbacks: [action('repair', 'repair')] });
    expect((await run(ok, { rollbackStrategy: 'deviated' })).journal.rollbacks).toHaveLength(0);
    expect((await run(ok, { rollbackStrategy: 'always' })).journal.rollbacks).toHaveLength(1);
  });

  it('checks the hypothesis during the method and fails fast on the first deviation', async () => {
    const { journal } = await run(
      experiment({
        method: [
          action('break', 'breakIt', { pauses: { after: 0.5 } }),
          action('later', 'count', { pauses: { before: 0.2 } }),
        ],
      }),
      { hypothesisStrategy: 'continuously', hypothesisFrequency: 0.05, failFast: true },
    );
    expect(journal.steady_states.during.length).toBeGreaterThan(0);
    expect(journal.status).toBe('failed');
    expect(journal.run.map((r) => r.activity.name)).toEqual(['break']);
  });

  it('aborts when an abort condition trips, cancelling the running activity', async () => {
    const started = Date.now();
    const { journal, exitCode, events } = await run(
      experiment({
        method: [action('long', 'slow', {}, { ms: 10_000 })],
        'abort-conditions': {
          frequency: 0.05,
          probes: [probe('still-ok', 'afterMs', { tolerance: true }, { ms: 300 })],
        },
      }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(journal.status).toBe('aborted');
    expect(journal.abort?.reason).toContain('still-ok');
    expect(journal.run[0]!.status).toBe('failed');
    expect(events.some((e) => e.type === 'run.aborted')).toBe(true);
    expect(exitCode).toBe(1);
  });

  it('ends interrupted (exit 130) when its signal aborts, and skips default rollbacks', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort('SIGINT'), 200);
    const { journal, exitCode } = await run(
      experiment({ method: [action('long', 'slow', {}, { ms: 10_000 })], rollbacks: [action('repair', 'repair')] }),
      { signal: interrupt.signal },
    );
    expect(journal.status).toBe('interrupted');
    expect(journal.rollbacks_decision?.run).toBe(false);
    expect(exitCode).toBe(130);
  });

  it('runs nothing under --dry activities and skips tolerance checks', async () => {
    state().healthy = false;
    const { journal } = await run(experiment({ method: [action('break', 'breakIt')] }), { dry: 'activities' });
    expect(journal.status).toBe('completed');
    expect(state().calls).toEqual([]);
    expect(journal.experiment.dry).toBe('activities');
  });

  it('calls JS controls at each level and ignores a control that throws', async () => {
    const { journal } = await run(
      experiment({
        controls: [{ name: 'tracker', provider: { type: 'module', module: './control.mjs' } }],
        method: [action('explodes-in-control', 'count')],
      }),
    );
    expect(journal.status).toBe('completed');
    expect(state().calls).toEqual(
      expect.arrayContaining([
        'control:configure',
        'control:before-experiment',
        'control:before:explodes-in-control',
        'control:after-experiment:completed',
        'control:cleanup',
      ]),
    );
  });

  it('chooses the same fault targets for the same seed (and records it)', async () => {
    const { execFileSync } = await import('node:child_process');
    // Orphaned sleeps (their shell exits): not in this process's tree, which turbulence refuses to touch.
    const pids = Array.from({ length: 6 }, () =>
      Number(execFileSync('sh', ['-c', 'sleep 37.25 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim()),
    );
    try {
      const e = experiment({
        'steady-state-hypothesis': undefined,
        method: [
          {
            type: 'action',
            name: 'pause-two',
            provider: {
              type: 'fault',
              kind: 'process.stop',
              target: { cmdline: '^sleep 37\\.25$' },
              select: 'count(2)',
            },
          },
        ],
      });
      const picks = async (seed: number) => {
        const r = await run(e, { seed });
        expect(r.journal.seed).toBe(seed);
        return r.journal.faults.map((f) => f.target.id).sort();
      };
      const a = await picks(7);
      expect(a).toHaveLength(2);
      expect(await picks(7)).toEqual(a);
      const others = await Promise.all([8, 9, 10, 11].map(picks));
      expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('refs', () => {
  it('resolves a ref that also carries a type, as published experiments write them', async () => {
    const { journal } = await run(
      experiment({ method: [action('first', 'count'), { type: 'probe', ref: 'is-healthy' } as never] }),
    );
    expect(journal.status).toBe('completed');
    expect(journal.run.map((r) => r.activity.name)).toEqual(['first', 'is-healthy']);
  });
});
