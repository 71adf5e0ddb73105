import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_CHANNELS, EventBus, stamp, type AnyEvent } from './events.js';

describe('the event envelope and bus', () => {
  it('stamps source and an ISO time, keeping the payload', () => {
    const e = stamp('proxy', { type: 'proxy.reset' }, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
    expect(e).toEqual({ source: 'proxy', type: 'proxy.reset', at: '2026-01-02T03:04:05.006Z' });
  });

  it('delivers to listeners in order and publishes on the source’s channel', () => {
    const bus = new EventBus<AnyEvent>({ source: 'proxy' });
    const seen: string[] = [];
    const published: unknown[] = [];
    const onMessage = (m: unknown) => published.push(m);
    subscribe(EVENT_CHANNELS.proxy, onMessage);
    try {
      bus.on((e) => seen.push(`a:${e.type}`));
      const off = bus.on((e) => seen.push(`b:${e.type}`));
      const event = stamp('proxy', { type: 'proxy.reset' });
      bus.emit(event);
      off();
      bus.emit(stamp('proxy', { type: 'proxy.reset' }));
      expect(seen).toEqual(['a:proxy.reset', 'b:proxy.reset', 'a:proxy.reset']);
      expect(published[0]).toBe(event);
      expect(published).toHaveLength(2);
    } finally {
      unsubscribe(EVENT_CHANNELS.proxy, onMessage);
    }
  });

  it('does not republish events forwarded from another source', () => {
    const bus = new EventBus<AnyEvent>({ source: 'run' });
    const published: unknown[] = [];
    const onMessage = (m: unknown) => published.push(m);
    subscribe(EVENT_CHANNELS.fault, onMessage);
    try {
      bus.emit(stamp('fault', { type: 'fault.expired', id: 'f-1' }));
      expect(published).toEqual([]);
    } finally {
      unsubscribe(EVENT_CHANNELS.fault, onMessage);
    }
  });

  it('survives a throwing listener and reports it', () => {
    const errors: unknown[] = [];
    const bus = new EventBus<AnyEvent>({ onListenerError: (err) => errors.push(err) });
    const seen: string[] = [];
    bus.on(() => {
      throw new Error('boom');
    });
    bus.on((e) => seen.push(e.type));
    bus.emit(stamp('dns', { type: 'dns.rule.removed', id: 'x' }));
    expect(seen).toEqual(['dns.rule.removed']);
    expect(String(errors[0])).toContain('boom');
  });

  it('names every type with its source as the first segment (run lifecycle types belong to run)', () => {
    for (const [type, { source }] of Object.entries(EVENT_CATALOGUE)) {
      expect(type).toMatch(/^[a-z]+(\.[a-z-]+)+$/);
      const first = type.split('.')[0]!;
      expect(
        first === source ||
          (source === 'run' && ['hypothesis', 'method', 'activity', 'rollbacks', 'monkey', 'probe'].includes(first)),
      ).toBe(true);
    }
  });
});
