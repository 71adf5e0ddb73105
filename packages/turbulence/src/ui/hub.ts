/**
 * The dashboard's event hub: every event of this process (the `turbulence:*` diagnostics channels) and every event
 * posted by another process (`turbulence run --ui URL`) goes into one bounded buffer with a sequence number, is
 * fanned out to Server-Sent-Events subscribers, and feeds one journal builder per run so the dashboard draws a live
 * run with the report's model and timeline.
 *
 *   diagnostics_channel turbulence:* ──┐ origin "local"
 *   POST /api/events ──────────────────┤ origin "post"
 *   $TURBULENCE_HOME/sessions/*.ndjson ┴─ origin "session:<key>" ─▶ EventHub ─▶ buffer (last N) ─▶ SSE subscribers
 *                                                                         └─▶ JournalBuilder per run ─▶ /api/runs/:id
 *
 * Run events carry no run id after `run.started`: each belongs to the run its origin started last. One origin is
 * one process (a session) or one runner, so two runs in two processes are never mixed up; posted events carry
 * their run id (`turbulence run --ui URL` adds it).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EVENT_CATALOGUE, EVENT_CHANNELS, type AnyEvent, type EventSource } from '../core/events.js';
import { JournalBuilder } from '../experiment/journal-builder.js';
import type { RunEvent } from '../experiment/events.js';
import type { Journal } from '../experiment/journal.js';

/** An event as the hub keeps it: numbered in arrival order. */
export interface HubEvent {
  seq: number;
  event: AnyEvent;
}

/** A run the hub has seen start. */
export interface LiveRun {
  runId: string;
  builder: JournalBuilder;
}

const SOURCES = Object.keys(EVENT_CHANNELS) as EventSource[];

/**
 * Collects events; `close()` unsubscribes from the channels.
 *
 * @example
 * const hub = new EventHub({ capacity: 10_000 });
 * const off = hub.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
 */
export class EventHub {
  private readonly buffer: HubEvent[] = [];
  private readonly listeners = new Set<(e: HubEvent) => void>();
  private readonly runs = new Map<string, LiveRun>();
  private readonly current = new Map<string, LiveRun>();
  private seq = 0;
  private readonly capacity: number;
  private readonly onChannel = (message: unknown): void => void this.add(message as AnyEvent);

  constructor(options: { capacity?: number; listen?: boolean } = {}) {
    this.capacity = options.capacity ?? 10_000;
    if (options.listen !== false) for (const s of SOURCES) subscribe(EVENT_CHANNELS[s], this.onChannel);
  }

  /**
   * Adds one event; returns its sequence number. `origin` names where it came from (`local`: this process's
   * channels; `post`; `session:<key>`), which decides the run an event without a run id belongs to.
   */
  add(event: AnyEvent, origin = 'local'): number {
    const entry = { seq: ++this.seq, event };
    this.buffer.push(entry);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    this.track(event, origin);
    for (const l of [...this.listeners]) l(entry);
    return entry.seq;
  }

  /** Events after `since` still in the buffer. */
  since(since: number): HubEvent[] {
    return this.buffer.filter((e) => e.seq > since);
  }

  /** Subscribes to new events; returns a function that unsubscribes. */
  subscribe(listener: (e: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs seen, newest first, with their journal so far. */
  liveRuns(): { runId: string; journal: Journal }[] {
    return [...this.runs.values()]
      .filter((r) => r.builder.current)
      .map((r) => ({ runId: r.runId, journal: r.builder.current! }))
      .reverse();
  }

  /** The journal so far of a run, if the hub saw it. */
  journal(runId: string): Journal | undefined {
    return this.runs.get(runId)?.builder.current;
  }

  /** How many events the buffer holds. */
  get size(): number {
    return this.buffer.length;
  }

  close(): void {
    for (const s of SOURCES) unsubscribe(EVENT_CHANNELS[s], this.onChannel);
    this.listeners.clear();
  }

  /**
   * An event with a known run id goes to that run. Otherwise it goes to the run its origin started last: run events
   * from any origin; fault events (no run id: `fault inject`, the monkey) only from a session, whose every event is
   * its own process's (in this process, the arcade's shots belong to no run).
   */
  private track(event: AnyEvent, origin: string): void {
    if (event.type === 'run.started' && typeof event.runId === 'string') {
      const started = { runId: event.runId, builder: new JournalBuilder() };
      this.current.set(origin, started);
      this.runs.set(event.runId, started);
    }
    const byId = typeof event.runId === 'string' ? this.runs.get(event.runId) : undefined;
    const run =
      byId ?? (event.source === 'run' || origin.startsWith('session:') ? this.current.get(origin) : undefined);
    if (!run) return;
    run.builder.listener(event as unknown as RunEvent);
  }
}

/**
 * Checks a posted event: an object with a known `type`, its catalogue `source`, and an ISO `at`. Returns the reason
 * it is refused, or undefined.
 */
export function invalidEvent(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an event is a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.type !== 'string') return 'type: required string is missing';
  const entry = (EVENT_CATALOGUE as Record<string, { source: string } | undefined>)[e.type];
  if (!entry) return `type: unknown event type ${JSON.stringify(e.type)} (see docs/events.md)`;
  if (e.source !== entry.source)
    return `source: ${e.type} comes from "${entry.source}", not ${JSON.stringify(e.source)}`;
  if (typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) return 'at: required ISO-8601 timestamp';
  return undefined;
}
