/**
 * The supervisor's events in the one envelope (source `supervisor`), published on `turbulence:supervisor`:
 * `supervisor.process.started`, `supervisor.process.exited`, `supervisor.process.gave-up`.
 */
import type { EventEmitter } from 'node:events';
import { publish, stamp, type EventEnvelope } from '../core/events.js';
import type { ManagedRecord } from './record.js';

/** Events of a `Supervisor` (emitted on itself). */
export interface SupervisorEvents {
  /** The process was spawned and recorded (before it is ready). */
  spawned: [record: ManagedRecord];
  /** The process is ready (or has no readiness check). */
  started: [record: ManagedRecord];
  exited: [info: { name: string; code: number | null; signal: string | null; willRestart: boolean }];
  'gave-up': [info: { name: string; restarts: number; reason: string }];
}

export type SupervisorEvent =
  | (EventEnvelope<'supervisor', 'supervisor.process.started'> & { name: string; pid: number })
  | (EventEnvelope<'supervisor', 'supervisor.process.exited'> & {
      name: string;
      code: number | null;
      signal: string | null;
      willRestart: boolean;
    })
  | (EventEnvelope<'supervisor', 'supervisor.process.gave-up'> & { name: string; restarts: number; reason: string });

/** Publishes a supervisor's own events in the envelope. Called once by its constructor. */
export function announceSupervisorEvents(supervisor: EventEmitter<SupervisorEvents>): void {
  supervisor.on('started', (r) =>
    publish(stamp('supervisor', { type: 'supervisor.process.started', name: r.spec.name, pid: r.pid })),
  );
  supervisor.on('exited', (i) => publish(stamp('supervisor', { type: 'supervisor.process.exited', ...i })));
  supervisor.on('gave-up', (i) => publish(stamp('supervisor', { type: 'supervisor.process.gave-up', ...i })));
}
