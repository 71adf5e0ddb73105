import { describe, expect, it } from 'vitest';
import { fieldAt, podIsReady } from './k8s.js';
import { k8sSchema } from './k8s-schema.js';

describe('the k8s provider (pure parts)', () => {
  it('reads kubectl-style jsonpaths of plain field access', () => {
    const obj = {
      spec: { replicas: 3 },
      metadata: { annotations: { 'a.b/c': 'x' } },
      status: { conditions: [{ type: 'Ready' }] },
    };
    expect(fieldAt(obj, '{.spec.replicas}')).toBe(3);
    expect(fieldAt(obj, '.status.conditions[0].type')).toBe('Ready');
    expect(fieldAt(obj, "{.metadata.annotations['a.b/c']}")).toBe('x');
    expect(fieldAt(obj, '{.spec.missing.deeper}')).toBeUndefined();
  });

  it('counts a pod as ready only when Running with Ready=True', () => {
    expect(podIsReady({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } })).toBe(true);
    expect(podIsReady({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } })).toBe(false);
    expect(podIsReady({ status: { phase: 'Pending' } })).toBe(false);
  });

  it('says what each probe needs', () => {
    expect(k8sSchema.safeParse({ type: 'k8s', probe: 'pods-ready' }).error?.issues[0]?.message).toMatch(
      /needs a selector/,
    );
    expect(k8sSchema.safeParse({ type: 'k8s', probe: 'field', name: 'n' }).error?.issues[0]?.message).toMatch(
      /apiVersion, kind and jsonpath/,
    );
    expect(k8sSchema.safeParse({ type: 'k8s', probe: 'deployment-available', name: 'web' }).success).toBe(true);
  });
});
