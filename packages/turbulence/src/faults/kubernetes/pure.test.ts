import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { budgetRefusals, drainPlan, matchesSelector } from './drain.js';
import { MARKER_PREFIX, markerKey, markerOf, readMarker } from './marker.js';
import { sameTaint } from './node.js';
import { joinSelectors, namespaceRefusal, optedIn, selectorText } from '../../targets/kubernetes.js';
import { kindSchema } from '../schemas.js';
import { AGENT_KINDS, agentAsk } from './fault-request.js';

const pod = (name: string, extra: Partial<V1Pod['metadata']> = {}, phase = 'Running'): V1Pod => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' }, ...extra },
  status: { phase },
});
const rs = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true }];
const ds = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'log', uid: 'u2', controller: true }];

describe('node.drain plan', () => {
  it('evicts managed pods and skips DaemonSet, mirror, finished and terminating pods like kubectl drain', () => {
    const plan = drainPlan([
      pod('a', { ownerReferences: rs }),
      pod('b', { ownerReferences: ds }),
      pod('c', { annotations: { 'kubernetes.io/config.mirror': 'x' } }),
      pod('d', { ownerReferences: rs }, 'Succeeded'),
      pod('e', { ownerReferences: rs, deletionTimestamp: new Date() }),
      pod('bare'),
    ]);
    expect(plan.evict.map((p) => p.metadata?.name)).toEqual(['a', 'bare']);
    expect(plan.unmanaged.map((p) => p.metadata?.name)).toEqual(['bare']);
    expect(plan.skip.map((s) => s.why)).toEqual([
      'DaemonSet pod',
      'mirror pod',
      'succeeded pod',
      'already terminating',
    ]);
  });

  it('refuses before acting when a PodDisruptionBudget allows fewer disruptions than the drain needs', () => {
    const budget = (allowed: number): V1PodDisruptionBudget => ({
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: allowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
    });
    const pods = [pod('a'), pod('b')];
    expect(budgetRefusals(pods, [budget(2)])).toEqual([]);
    expect(budgetRefusals(pods, [budget(1)])[0]).toMatch(
      /default\/web allows 1 disruption\(s\), the drain would evict 2/,
    );
    expect(budgetRefusals([pod('x', { namespace: 'other' })], [budget(0)])).toEqual([]);
  });

  it('matches label selectors with expressions', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesSelector(labels, { matchLabels: { app: 'web' } })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] })).toBe(
      false,
    );
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] })).toBe(
      false,
    );
  });
});

describe('kubernetes targets (pure rules)', () => {
  it('protects kube-system, kube-public and the agent namespace unless allowNamespaces names them', () => {
    expect(namespaceRefusal('default', undefined, 'turbulence')).toBeUndefined();
    expect(namespaceRefusal('kube-system', undefined, 'turbulence')).toMatch(/protected/);
    expect(namespaceRefusal('turbulence', undefined, 'turbulence')).toMatch(/agent/);
    expect(namespaceRefusal('kube-system', ['kube-system'], 'turbulence')).toBeUndefined();
    expect(namespaceRefusal('default', ['staging'], 'turbulence')).toMatch(/not in allowNamespaces/);
  });

  it('counts a label or an annotation turbulence.io/enabled=true as opt-in, nothing else', () => {
    expect(optedIn({ metadata: { labels: { 'turbulence.io/enabled': 'true' } } })).toBe(true);
    expect(optedIn({ metadata: { annotations: { 'turbulence.io/enabled': 'true' } } })).toBe(true);
    expect(optedIn({ metadata: { labels: { 'turbulence.io/enabled': 'false' } } })).toBe(false);
    expect(optedIn({ metadata: {} })).toBe(false);
  });

  it('writes label selectors as kubectl does and joins them', () => {
    expect(
      selectorText({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),!canary');
    expect(joinSelectors('app=web', undefined, '', 'tier=x')).toBe('app=web,tier=x');
    expect(joinSelectors(undefined)).toBeUndefined();
  });

  it('validates target queries without a cluster', () => {
    const target = kindSchema('pod.delete')!.target;
    expect(target.safeParse({ namespace: 'default', selector: 'app=web' }).success).toBe(true);
    expect(target.safeParse({ namespace: 'default' }).success).toBe(false);
    expect(target.safeParse({ owner: 'cronjob/x' }).success).toBe(false);
    expect(target.safeParse({ owner: 'deployment/web', optIn: false }).success).toBe(true);
    expect(kindSchema('workload.scale')!.params.safeParse({ replicas: -1 }).success).toBe(false);
    expect(kindSchema('node.taint')!.params.parse({})).toEqual({ key: 'turbulence.io/fault', effect: 'NoSchedule' });
  });
});

describe('undo records on objects', () => {
  it('names the annotation from the fault id, valid for Kubernetes', () => {
    const key = markerKey('node-drain-mixyz12-abcdef');
    expect(key).toBe(`${MARKER_PREFIX}node-drain-mixyz12-abcdef`);
    expect(markerKey('x'.repeat(80)).split('/')[1]!.length).toBeLessThanOrEqual(63);
    expect(markerKey(undefined)).toMatch(/^turbulence\.io\/fault-manual-[0-9a-f]{8}$/);
    expect(markerOf({ marker: 'turbulence.io/fault-a' }, 'b')).toBe('turbulence.io/fault-a');
    expect(markerOf(undefined, 'b')).toBe('turbulence.io/fault-b');
    expect(readMarker({ metadata: { annotations: { k: '{"replicas":3}' } } }, 'k')).toEqual({ replicas: 3 });
    expect(readMarker({ metadata: {} }, 'k')).toBeUndefined();
  });

  it('tells taints apart by key, effect and value', () => {
    expect(sameTaint({ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' })).toBe(true);
    expect(sameTaint({ key: 'a', effect: 'NoSchedule', value: 'x' }, { key: 'a', effect: 'NoSchedule' })).toBe(false);
    expect(sameTaint({ key: 'a', effect: 'NoExecute' }, { key: 'a', effect: 'NoSchedule' })).toBe(false);
  });
});

describe('what a pod kind asks of the agent', () => {
  const parse = (kind: string, params: object) =>
    agentAsk(kind as never, kindSchema(kind)!.params.parse(params) as Record<string, unknown>);

  it('maps each pod resource kind onto a stress, limit or process kind, the container kept apart', () => {
    expect(parse('pod.stress', { stressor: 'cpu', load: 50 })).toEqual({
      kind: 'stress.cpu',
      params: { workers: 1, load: 50, engine: 'auto' },
    });
    expect(parse('pod.stress', { stressor: 'memory', size: '64MiB', container: 'app' })).toEqual({
      kind: 'stress.memory',
      params: { size: 64 * 1024 * 1024, engine: 'auto' },
      container: 'app',
    });
    expect(parse('pod.stress', { stressor: 'io', chunk: '1MiB' })).toEqual({
      kind: 'stress.io',
      params: { path: '/tmp', workers: 1, chunk: 1024 * 1024, engine: 'auto' },
    });
    expect(parse('pod.limit-cpu', { percent: 20, container: 'app' })).toEqual({
      kind: 'limit.cpu',
      params: { percent: 20 },
      container: 'app',
    });
    expect(parse('pod.limit-memory', { max: '64MiB' })).toEqual({
      kind: 'limit.memory',
      params: { max: 64 * 1024 * 1024 },
    });
    expect(parse('pod.limit-pids', { max: 20 })).toEqual({ kind: 'limit.pids', params: { max: 20 } });
    expect(parse('pod.disk-fill', { percent: 90 })).toEqual({
      kind: 'stress.disk-fill',
      params: { path: '/tmp', percent: 90 },
    });
    expect(parse('pod.container-kill', { signal: 'TERM', via: 'agent', container: 'web' })).toEqual({
      kind: 'process.kill',
      params: { signal: 'TERM' },
      container: 'web',
    });
    expect(parse('pod.loss', { percent: 10 }).kind).toBe('network.loss');
  });

  it('asks only for kinds the agent applies, each with a way to reach the container', () => {
    for (const kind of ['pod.stress', 'pod.limit-cpu', 'pod.limit-memory', 'pod.limit-pids', 'pod.disk-fill'])
      expect(AGENT_KINDS.has(parse(kind, kindSchema(kind)!.example.params ?? {}).kind)).toBe(true);
  });

  it('refuses params that do not fit the stressor, naming the field', () => {
    const stress = kindSchema('pod.stress')!.params;
    const issue = (p: object) => stress.safeParse(p).error?.issues[0];
    expect(issue({ stressor: 'cpu', path: '/data' })).toMatchObject({ path: ['path'] });
    expect(issue({ stressor: 'memory' })).toMatchObject({ path: ['size'] });
    expect(issue({ stressor: 'io', workers: 100 })).toMatchObject({ path: ['workers'] });
    expect(kindSchema('pod.disk-fill')!.params.safeParse({ size: '1GiB', percent: 5 }).success).toBe(false);
  });
});
