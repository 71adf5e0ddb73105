import { describe, expect, it } from 'vitest';
import {
  checksTolerancesUnderDry,
  decideRollbacks,
  executesUnderDry,
  hypothesisSchedule,
  parseHypothesisStrategy,
  pausesUnderDry,
  runExitCode,
} from './policy.js';

describe('rollbacks decision table', () => {
  const cases: [Parameters<typeof decideRollbacks>[0], Parameters<typeof decideRollbacks>[1], boolean, boolean][] = [
    ['default', 'completed', false, true],
    ['default', 'completed', true, true],
    ['default', 'aborted', false, true],
    ['default', 'failed', false, false],
    ['default', 'interrupted', false, false],
    ['always', 'failed', false, true],
    ['always', 'interrupted', false, true],
    ['never', 'completed', false, false],
    ['never', 'completed', true, false],
    ['deviated', 'completed', false, false],
    ['deviated', 'completed', true, true],
    ['deviated', 'failed', true, true],
  ];
  it.each(cases)('strategy %s with status %s (deviated %s) runs rollbacks: %s', (strategy, status, deviated, run) => {
    const d = decideRollbacks(strategy, status, deviated);
    expect(d.run).toBe(run);
    expect(d.strategy).toBe(strategy);
    expect(d.reason).toContain(strategy);
  });

  it('never plays rollbacks after an ungraceful stop', () => {
    expect(decideRollbacks('always', 'interrupted', true, true).run).toBe(false);
  });
});

describe('hypothesis strategies', () => {
  it('schedules the phases of each strategy', () => {
    expect(hypothesisSchedule('default', true)).toEqual({ before: true, during: false, after: true });
    expect(hypothesisSchedule('continuously', true)).toEqual({ before: true, during: true, after: true });
    expect(hypothesisSchedule('during-method-only', true)).toEqual({ before: false, during: true, after: false });
    expect(hypothesisSchedule('after-method-only', true)).toEqual({ before: false, during: false, after: true });
    expect(hypothesisSchedule('default', false)).toEqual({ before: false, during: false, after: false });
  });

  it('accepts the misspelling Chaos Toolkit accepts and rejects unknown names', () => {
    expect(parseHypothesisStrategy('continously')).toBe('continuously');
    expect(parseHypothesisStrategy('sometimes')).toBeUndefined();
  });
});

describe('dry modes', () => {
  it('skips what each mode says', () => {
    expect(executesUnderDry('probes', 'probe')).toBe(false);
    expect(executesUnderDry('probes', 'action')).toBe(true);
    expect(executesUnderDry('actions', 'action')).toBe(false);
    expect(executesUnderDry('activities', 'probe')).toBe(false);
    expect(executesUnderDry('pause', 'action')).toBe(true);
    expect(pausesUnderDry('pause', 'probe')).toBe(false);
    expect(pausesUnderDry(undefined, 'probe')).toBe(true);
    expect(checksTolerancesUnderDry('probes')).toBe(false);
    expect(checksTolerancesUnderDry('actions')).toBe(true);
  });
});

describe('exit codes', () => {
  it('maps outcomes to 0, 1 and 130', () => {
    expect(runExitCode('completed', false)).toBe(0);
    expect(runExitCode('completed', true)).toBe(1);
    expect(runExitCode('completed', false, true)).toBe(1);
    expect(runExitCode('failed', false)).toBe(1);
    expect(runExitCode('aborted', false)).toBe(1);
    expect(runExitCode('interrupted', false)).toBe(130);
  });
});
