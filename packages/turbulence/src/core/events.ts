/**
 * One event envelope for the whole system. Every event — of a run, the fault manager, the proxy, the DNS server,
 * the supervisor — is a plain object `{ source, type, at, ...payload }` with a dotted `type` (`run.started`,
 * `fault.injected`, `proxy.toxic.added`). Listeners (the journal writer, the terminal renderer, JUnit, the server
 * logs, the dashboard) subscribe to an {@link EventBus}; every event is also published on one
 * `node:diagnostics_channel` channel per source, so code outside the call chain can listen without wiring:
 *
 *   emitter ──emit──▶ EventBus ──▶ listeners (journal, terminal, logger)
 *                         └──────▶ diagnostics_channel `turbulence:<source>` ──▶ any subscriber in the process
 *
 * Payload types live beside their emitters (`experiment/events.ts`, `faults/events.ts`, `proxy/events.ts`, ...);
 * this file holds the envelope, the catalogue of every type name and the bus. Pure: no I/O.
 */
import { channel } from 'node:diagnostics_channel';

/** Who emitted an event. */
export type EventSource = 'run' | 'fault' | 'proxy' | 'dns' | 'supervisor';

/** The fields every event has. `at` is an ISO-8601 timestamp. */
export interface EventEnvelope<S extends EventSource = EventSource, T extends string = string> {
  source: S;
  type: T;
  at: string;
}

/** Any event: the envelope plus its payload fields. */
export type AnyEvent = EventEnvelope & Record<string, unknown>;

/** The `diagnostics_channel` name of each source. */
export const EVENT_CHANNELS = {
  run: 'turbulence:run',
  fault: 'turbulence:fault',
  proxy: 'turbulence:proxy',
  dns: 'turbulence:dns',
  supervisor: 'turbulence:supervisor',
} as const satisfies Record<EventSource, string>;

/** Channel of run events (`run.*`, `hypothesis.*`, `method.*`, `activity.*`, `rollbacks.*`). */
export const RUN_CHANNEL = EVENT_CHANNELS.run;
/** Channel of fault manager events (`fault.*`), in runs and in `turbulence fault inject`. */
export const FAULT_CHANNEL = EVENT_CHANNELS.fault;
/** Channel of proxy server events (`proxy.*`). */
export const PROXY_CHANNEL = EVENT_CHANNELS.proxy;
/** Channel of DNS server events (`dns.*`). */
export const DNS_CHANNEL = EVENT_CHANNELS.dns;
/** Channel of supervisor events (`supervisor.*`). */
export const SUPERVISOR_CHANNEL = EVENT_CHANNELS.supervisor;

/**
 * Every event type, its source and its payload fields (besides `source`, `type`, `at`). `docs/events.md` is this
 * table; a test checks that every event emitted in the tests is listed here.
 */
export const EVENT_CATALOGUE = {
  'run.started': { source: 'run', fields: ['runId', 'title', 'seed', 'dry', 'strict', 'start', 'experiment'] },
  'run.warning': { source: 'run', fields: ['message'] },
  'run.interrupted': { source: 'run', fields: ['reason'] },
  'run.aborted': { source: 'run', fields: ['reason'] },
  'run.ended': { source: 'run', fields: ['status', 'deviated', 'duration'] },
  'run.finished': { source: 'run', fields: ['status', 'deviated', 'exitCode', 'journal'] },
  'hypothesis.started': { source: 'run', fields: ['phase', 'title', 'iteration?'] },
  'hypothesis.finished': { source: 'run', fields: ['phase', 'outcome', 'iteration?'] },
  'method.started': { source: 'run', fields: ['activities'] },
  'method.finished': { source: 'run', fields: [] },
  'activity.started': { source: 'run', fields: ['phase', 'name', 'kind', 'describe', 'background', 'record'] },
  'activity.paused': { source: 'run', fields: ['phase', 'name', 'when', 'seconds'] },
  'activity.finished': { source: 'run', fields: ['phase', 'record', 'skipped?'] },
  'rollbacks.decided': { source: 'run', fields: ['decision'] },
  'rollbacks.started': { source: 'run', fields: ['count'] },
  'rollbacks.finished': { source: 'run', fields: [] },
  'probe.status': { source: 'run', fields: ['status'] },
  'fault.injected': {
    source: 'fault',
    fields: ['id', 'kind', 'runId', 'activity', 'target', 'state', 'injectedAt', 'expiresAt?'],
  },
  'fault.expired': { source: 'fault', fields: ['id', 'kind', 'runId', 'target'] },
  'fault.reverted': { source: 'fault', fields: ['id', 'kind', 'runId', 'target', 'reason', 'note?'] },
  'fault.failed': { source: 'fault', fields: ['id?', 'kind', 'target?', 'phase', 'error', 'code'] },
  'proxy.created': { source: 'proxy', fields: ['proxy'] },
  'proxy.updated': { source: 'proxy', fields: ['proxy'] },
  'proxy.deleted': { source: 'proxy', fields: ['proxy'] },
  'proxy.toxic.added': { source: 'proxy', fields: ['proxy', 'toxic'] },
  'proxy.toxic.updated': { source: 'proxy', fields: ['proxy', 'toxic'] },
  'proxy.toxic.removed': { source: 'proxy', fields: ['proxy', 'toxic'] },
  'proxy.reset': { source: 'proxy', fields: [] },
  'dns.query': {
    source: 'dns',
    fields: [
      'client',
      'transport',
      'name?',
      'qtype?',
      'rules',
      'outcome',
      'rcode?',
      'tc?',
      'size?',
      'cached?',
      'latencyMs',
      'error?',
    ],
  },
  'dns.rule.added': { source: 'dns', fields: ['rule'] },
  'dns.rule.removed': { source: 'dns', fields: ['id'] },
  'supervisor.process.started': { source: 'supervisor', fields: ['name', 'pid'] },
  'supervisor.process.exited': { source: 'supervisor', fields: ['name', 'code', 'signal', 'willRestart'] },
  'supervisor.process.gave-up': { source: 'supervisor', fields: ['name', 'restarts', 'reason'] },
  'monkey.started': { source: 'run', fields: ['runId', 'schedule', 'seed', 'origin', 'leashed', 'resumed'] },
  'monkey.scheduled': { source: 'run', fields: ['runId', 'entry', 'group', 'kind', 'due', 'targets?'] },
  'monkey.skipped': { source: 'run', fields: ['runId', 'entry', 'group', 'kind', 'due', 'reason'] },
  'monkey.leashed': { source: 'run', fields: ['runId', 'entry', 'group', 'kind', 'due', 'targets'] },
  'monkey.injected': { source: 'run', fields: ['runId', 'entry', 'group', 'kind', 'due', 'faults'] },
  'monkey.reverted': { source: 'run', fields: ['runId', 'entry', 'group', 'fault', 'reason'] },
  'monkey.halted': { source: 'run', fields: ['runId', 'reason', 'by', 'reverted'] },
  'monkey.resumed': { source: 'run', fields: ['runId'] },
  'monkey.stopped': { source: 'run', fields: ['runId', 'reason'] },
} as const satisfies Record<string, { source: EventSource; fields: readonly string[] }>;

/** Every event type name. */
export type EventType = keyof typeof EVENT_CATALOGUE;

/** Removes the envelope fields from each member of a union (what an emitter passes before stamping). */
export type Unstamped<E> = E extends EventEnvelope ? Omit<E, 'source' | 'at'> : never;

/**
 * Stamps a payload with its source and time.
 *
 * @example
 * const e = stamp('proxy', { type: 'proxy.reset' }); // { source: 'proxy', type: 'proxy.reset', at: '2026-…Z' }
 */
export function stamp<S extends EventSource, P extends { type: string }>(
  source: S,
  payload: P,
  at: Date = new Date(),
): P & { source: S; at: string } {
  return { source, at: at.toISOString(), ...payload };
}

/** True when someone listens on the source's channel (hot paths skip building events otherwise). */
export function hasSubscribers(source: EventSource): boolean {
  return channel(EVENT_CHANNELS[source]).hasSubscribers;
}

/** Publishes an event on its source's `diagnostics_channel` (a no-op without subscribers). */
export function publish(event: EventEnvelope): void {
  const ch = channel(EVENT_CHANNELS[event.source]);
  if (ch.hasSubscribers) ch.publish(event);
}

export type EventListener<E> = (event: E) => void;

/**
 * A typed fan-out: listeners run in subscription order, synchronously. A listener that throws never breaks the
 * emitter: the error goes to `onListenerError`. Events of the bus's own `source` are also {@link publish}ed;
 * events forwarded from another source (a run forwards its fault manager's events) are not published twice.
 *
 * @example
 * const bus = new EventBus<ProxyBusEvent>({ source: 'proxy' });
 * const off = bus.on((e) => log.info(e));
 * bus.emit(stamp('proxy', { type: 'proxy.reset' }));
 * off();
 */
export class EventBus<E extends EventEnvelope> {
  private readonly listeners: EventListener<E>[] = [];

  constructor(
    private readonly options: {
      source?: EventSource;
      onListenerError?: (error: unknown, event: E) => void;
    } = {},
  ) {}

  /** Subscribes; returns a function that unsubscribes. */
  on(listener: EventListener<E>): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Delivers an event to every listener, then publishes it on its channel. */
  emit(event: E): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.options.onListenerError?.(err, event);
      }
    }
    if (this.options.source === undefined || event.source === this.options.source) publish(event);
  }
}
