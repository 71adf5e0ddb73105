/**
 * The fault manager's events in the one envelope (`fault.injected`, `fault.expired`, `fault.reverted`,
 * `fault.failed`, source `fault`). A {@link FaultManager} emits each as `event` and publishes it on
 * `turbulence:fault`; a run forwards them into its run events, where the journal writer records them.
 */
import type { EventEmitter } from 'node:events';
import { publish, stamp } from '../core/events.js';
import type { Target } from '../core/fault.js';
import type { EventTarget, FaultEvent, FaultManagerEvents } from './manager-types.js';

export type { EventTarget, FaultEvent } from './manager-types.js';

const ref = (t: Target): EventTarget => ({ id: t.id, name: t.name });

/**
 * Turns a manager's own events into {@link FaultEvent}s: emitted as `event` on the manager and published on the
 * fault channel. Called once by the manager's constructor.
 */
export function announceFaultEvents(manager: EventEmitter<FaultManagerEvents>, runId: string | undefined): void {
  const run = runId ?? null;
  const send = (e: FaultEvent): void => {
    manager.emit('event', e);
    publish(e);
  };
  manager.on('fault-injected', (f) =>
    send(
      stamp('fault', {
        type: 'fault.injected',
        id: f.id,
        kind: f.kind,
        runId: run,
        activity: f.activity,
        target: ref(f.target),
        state: f.state ?? null,
        injectedAt: f.injectedAt,
        ...(f.expiresAt ? { expiresAt: f.expiresAt } : {}),
      }),
    ),
  );
  manager.on('fault-expired', (f) =>
    send(stamp('fault', { type: 'fault.expired', id: f.id, kind: f.kind, runId: run, target: ref(f.target) })),
  );
  manager.on('fault-reverted', (f) =>
    send(
      stamp(
        'fault',
        {
          type: 'fault.reverted',
          id: f.id,
          kind: f.kind,
          runId: run,
          target: ref(f.target),
          reason: f.reason,
          ...(f.note ? { note: f.note } : {}),
        },
        f.revertedAt !== undefined ? new Date(f.revertedAt) : undefined,
      ),
    ),
  );
  manager.on('fault-failed', (f) =>
    send(
      stamp('fault', {
        type: 'fault.failed',
        ...(f.id ? { id: f.id } : {}),
        kind: f.kind,
        ...(f.target ? { target: ref(f.target) } : {}),
        phase: f.phase,
        error: f.error.message,
        code: f.error.code,
      }),
    ),
  );
}
