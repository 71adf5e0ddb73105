import { describe, expect, it } from 'vitest';
import { ownedObjects, planLab } from './network.js';
import { parseLabSpec } from './spec.js';

const spec = parseLabSpec('name: shop\nhostAccess: true\nhosts:\n  - name: a\n  - name: b\n');

describe('what a lab owns', () => {
  it('plans injective names and starts owning nothing', () => {
    const state = planLab(spec, '/tmp/logs');
    expect(state.hosts.map((h) => h.netns)).toEqual(['tb-shop.a', 'tb-shop.b']);
    expect(state.switchNetns).toBe('tb-shop_sw');
    expect(ownedObjects(state)).toEqual({ namespaces: [], links: [] });
  });

  it('owns only what it marked as created', () => {
    const state = { ...planLab(spec, '/tmp/logs'), created: ['netns:tb-shop_sw', 'netns:tb-shop.a'] };
    expect(ownedObjects(state)).toEqual({ namespaces: ['tb-shop.a', 'tb-shop_sw'], links: [] });
  });

  it('owns everything it names when the state predates `created`', () => {
    const { created: _, ...state } = planLab(spec, '/tmp/logs');
    expect(ownedObjects(state)).toEqual({
      namespaces: ['tb-shop.a', 'tb-shop.b', 'tb-shop_sw'],
      links: state.rootLinks,
    });
    expect(state.rootLinks).toHaveLength(1);
  });
});
