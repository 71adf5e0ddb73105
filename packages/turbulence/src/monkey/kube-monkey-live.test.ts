import { describe, expect, it } from 'vitest';
import type { Target } from '../core/fault.js';
import { Rng } from '../core/rng.js';
import { killTargets, victimOf, victimsFromContainers } from './kube-monkey-live.js';

const pod = (i: number, phase = 'Running'): Target => ({
  id: `pod:shop/web-${i}`,
  type: 'pod',
  name: `pod shop/web-${i}`,
  attributes: { namespace: 'shop', name: `web-${i}`, phase, labels: {} },
});
const pods = [pod(0), pod(1), pod(2), pod(3), pod(4, 'Pending')];
const km = (mode?: string, value?: string): Record<string, string> => ({
  'kube-monkey/enabled': 'enabled',
  ...(mode !== undefined ? { 'kube-monkey/kill-mode': mode } : {}),
  ...(value !== undefined ? { 'kube-monkey/kill-value': value } : {}),
});
const kill = (labels: Record<string, string>, seed = 1) =>
  killTargets(labels, 'Deployment shop/web', pods, new Rng(seed));
const ids = (d: ReturnType<typeof kill>) => ('targets' in d ? d.targets.map((t) => t.id) : d.skip);

describe("kube-monkey's kill modes, from the labels at kill time", () => {
  it('kills one running pod without kill-mode, every pod (any phase) with kill-all', () => {
    for (let seed = 0; seed < 20; seed++) {
      const one = kill(km(), seed);
      expect('targets' in one && one.targets.length === 1 && one.targets[0]!.attributes.phase === 'Running').toBe(true);
    }
    expect(ids(kill(km('kill-all')))).toEqual(pods.map((p) => p.id));
  });

  it('fixed N kills N distinct running pods, all running ones (with a note) when N is larger', () => {
    const two = kill(km('fixed', '2'));
    expect(new Set(ids(two)).size).toBe(2);
    const many = kill(km('fixed', '9'));
    expect(ids(many)).toHaveLength(4);
    expect('note' in many && many.note).toMatch(/has only 4 currently running pods, but 9 terminations requested/);
  });

  it('fixed-percent floors running × N / 100; random-max-percent stays within it, and reaches 0 and the max', () => {
    expect(ids(kill(km('fixed-percent', '50')))).toHaveLength(2);
    expect(kill(km('fixed-percent', '20'))).toEqual({ skip: 'no terminations requested for Deployment shop/web' });
    const counts = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const d = kill(km('random-max-percent', '100'), seed);
      counts.add('targets' in d ? d.targets.length : 0);
    }
    expect([...counts].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('falls back to one pod on a missing or bad kill-value, and skips what kube-monkey skips', () => {
    const noValue = kill(km('fixed'));
    expect(ids(noValue)).toHaveLength(1);
    expect('note' in noValue && noValue.note).toMatch(/does not have kube-monkey\/kill-value label.*single pod/);
    expect(ids(kill(km('fixed', 'two')))).toHaveLength(1);
    expect(kill(km('fixed-percent', '150'))).toEqual({ skip: 'percentage value of 150 is invalid. Must be [0-100]' });
    expect(kill(km('explode', '1'))).toEqual({ skip: 'failed to recognize KillType label for Deployment shop/web' });
    expect(kill({ 'kube-monkey/enabled': 'disabled' })).toEqual({
      skip: 'Deployment shop/web is no longer enrolled in kube-monkey. Skipping',
    });
    expect(killTargets(km(), 'Deployment shop/web', [pod(9, 'Pending')], new Rng(1))).toEqual({
      skip: 'Deployment shop/web has no running pods at the moment',
    });
  });

  it('needs identifier and a positive integer mtbf, as kube-monkey does', () => {
    expect(victimOf('x', { 'kube-monkey/identifier': 'a', 'kube-monkey/mtbf': '3' })).toEqual({
      identifier: 'a',
      mtbf: 3,
    });
    expect(victimOf('x', { 'kube-monkey/mtbf': '3' })).toEqual({
      skip: 'x does not have kube-monkey/identifier label',
    });
    expect(victimOf('x', { 'kube-monkey/identifier': 'a', 'kube-monkey/mtbf': '0' })).toEqual({
      skip: 'Invalid value for label kube-monkey/mtbf: 0',
    });
    expect(victimOf('x', { 'kube-monkey/identifier': 'a', 'kube-monkey/mtbf': '1.5' })).toHaveProperty('skip');
  });

  it('groups opted-in containers by identifier, with the labels of the first by name', () => {
    const c = (name: string, labels: Record<string, string>): Target => ({
      id: `container:${name}`,
      type: 'container',
      name,
      attributes: { name, state: 'running', labels },
    });
    const on = { 'kube-monkey/enabled': 'enabled', 'kube-monkey/mtbf': '2' };
    const warnings: string[] = [];
    const v = victimsFromContainers(
      [
        c('web-2', { ...on, 'kube-monkey/identifier': 'web', 'kube-monkey/mtbf': '9' }),
        c('web-1', { ...on, 'kube-monkey/identifier': 'web' }),
        c('api-1', { ...on }),
        c('db-1', { 'kube-monkey/identifier': 'db', 'kube-monkey/mtbf': '1' }),
      ],
      (w) => warnings.push(w),
    );
    expect(v.map((x) => [x.identifier, x.mtbf])).toEqual([['web', 2]]);
    expect(warnings).toEqual([
      'Skipping eligible container api-1 because of error: it does not have kube-monkey/identifier label',
    ]);
  });
});
