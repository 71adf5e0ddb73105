/**
 * Connects a run's {@link FaultManager} to its event stream: the manager's `fault.*` events (source `fault`) are
 * forwarded into the run's events, where the journal writer records them in `journal.faults` and the terminal
 * shows them as they happen.
 */
import type { FaultManager } from '../faults/manager.js';
import type { FaultEvent } from '../faults/events.js';
import type { RunEvents } from './events.js';

/** Subscribes to the manager; returns a function that unsubscribes. */
export function forwardFaultEvents(manager: FaultManager, events: RunEvents): () => void {
  const forward = (e: FaultEvent): void => events.emit(e);
  manager.on('event', forward);
  return () => {
    manager.off('event', forward);
  };
}
