/**
 * Connects a run's {@link FaultManager} to its journal and event stream: every injected fault is recorded in
 * `journal.faults` with when and why it was reverted, and shown as it happens.
 */
import type { FaultManager, FaultManagerEvents } from '../faults/manager.js';
import type { RunEvents } from './events.js';
import { timestamp, type Journal, type JournalFault } from './journal.js';

/** Subscribes to the manager; returns a function that unsubscribes. */
export function attachFaultJournal(manager: FaultManager, journal: Journal, events: RunEvents): () => void {
  const byId = new Map<string, JournalFault>();
  const label = (t: { name: string; id: string }) => t.name || t.id;

  const onInjected = (f: Parameters<FaultManagerListener<'fault-injected'>>[0]) => {
    const entry: JournalFault = {
      id: f.id,
      kind: f.kind,
      activity: f.activity,
      target: { id: f.target.id, name: f.target.name },
      state: f.state ?? null,
      injected_at: timestamp(f.injectedAt),
      reverted_at: null,
      reverted_by: null,
    };
    byId.set(f.id, entry);
    journal.faults.push(entry);
    events.emit({
      type: 'fault-injected',
      id: f.id,
      kind: f.kind,
      target: label(f.target),
      activity: f.activity,
      ...(f.expiresAt ? { expiresAt: f.expiresAt } : {}),
    });
  };
  const onReverted = (f: Parameters<FaultManagerListener<'fault-reverted'>>[0]) => {
    const entry = byId.get(f.id);
    if (entry) {
      entry.reverted_at = timestamp();
      entry.reverted_by = f.reason;
    }
    events.emit({ type: 'fault-reverted', id: f.id, kind: f.kind, target: label(f.target), by: f.reason });
  };
  const onFailed = (info: Parameters<FaultManagerListener<'fault-failed'>>[0]) => {
    if (info.phase !== 'revert') return;
    const entry = info.id ? byId.get(info.id) : undefined;
    if (entry) entry.reverted_by = `revert failed: ${info.error.message}`;
    events.emit({
      type: 'fault-revert-failed',
      id: info.id ?? '?',
      kind: info.kind,
      target: info.target ? label(info.target) : '?',
      error: info.error.message,
    });
  };
  manager.on('fault-injected', onInjected);
  manager.on('fault-reverted', onReverted);
  manager.on('fault-failed', onFailed);
  return () => {
    manager.off('fault-injected', onInjected);
    manager.off('fault-reverted', onReverted);
    manager.off('fault-failed', onFailed);
  };
}

type FaultManagerListener<K extends keyof FaultManagerEvents> = (...args: FaultManagerEvents[K]) => void;
