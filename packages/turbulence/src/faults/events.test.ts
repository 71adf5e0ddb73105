/** The fault manager's events on `turbulence:fault` and as `event`: a real process paused and resumed. */
import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, FAULT_CHANNEL, type AnyEvent, type EventType } from '../core/events.js';
import { Rng } from '../core/rng.js';
import type { FaultEvent } from './events.js';
import { FaultManager } from './manager.js';

describe('fault manager events', () => {
  it('publishes fault.injected and fault.reverted in the envelope, once each', async () => {
    const home = mkdtempSync(join(tmpdir(), 'turb-fault-events-'));
    // An orphan: the manager refuses targets in its own process tree.
    const out = execFileSync('sh', ['-c', '(exec sleep 30) </dev/null >/dev/null 2>&1 & echo $!'], {
      encoding: 'utf8',
    });
    const pid = Number(out.trim());
    const published: AnyEvent[] = [];
    const emitted: FaultEvent[] = [];
    const onEvent = (m: unknown) => published.push(m as AnyEvent);
    subscribe(FAULT_CHANNEL, onEvent);
    const manager = new FaultManager({ rng: new Rng(1), runId: 'run-1', home });
    manager.on('event', (e) => emitted.push(e));
    try {
      const [fault] = await manager.inject(
        { kind: 'process.stop', target: { pid }, params: {} },
        { activity: 'pause it' },
      );
      await manager.revert(fault!.id);
    } finally {
      unsubscribe(FAULT_CHANNEL, onEvent);
      manager.dispose();
      process.kill(pid, 'SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
    expect(published.map((e) => e.type)).toEqual(['fault.injected', 'fault.reverted']);
    expect(emitted).toEqual(published);
    expect(published[0]).toMatchObject({
      source: 'fault',
      kind: 'process.stop',
      runId: 'run-1',
      activity: 'pause it',
      target: { id: expect.stringMatching(/^pid:\d+$/) as unknown },
    });
    expect(published[1]).toMatchObject({ source: 'fault', reason: 'reverted' });
    // Every field is one the catalogue (and docs/events.md) lists for the type.
    for (const e of published) {
      const listed = new Set<string>(EVENT_CATALOGUE[e.type as EventType].fields.map((f) => f.replace('?', '')));
      for (const key of Object.keys(e)) if (!['source', 'type', 'at'].includes(key)) expect(listed).toContain(key);
    }
  });
});
