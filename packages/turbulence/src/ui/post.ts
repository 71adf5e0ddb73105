/**
 * `turbulence run --ui URL`: a run listener that posts the run's events to a dashboard (`POST URL/api/events`),
 * batched, in order, never blocking the run. A dashboard that is down or refuses costs one warning, not the run.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { RunEvent, RunEvents } from '../experiment/events.js';

/**
 * Posts `events` to the dashboard at `url`; `flush()` waits for what is queued.
 *
 * @example
 * const ui = postEventsTo(events, 'http://127.0.0.1:8475', { onError: (m) => warn(m) });
 * await runExperiment(experiment, { events });
 * await ui.flush();
 */
export function postEventsTo(
  events: RunEvents,
  url: string,
  options: { token?: string | undefined; onError?: (message: string) => void } = {},
): { flush(): Promise<void> } {
  let endpoint: string;
  try {
    endpoint = new URL('/api/events', url).href;
  } catch {
    throw new TurbulenceError(ErrorCodes.USAGE, `--ui ${JSON.stringify(url)} is not a URL`, {
      hint: 'pass the dashboard address, e.g. --ui http://127.0.0.1:8475',
    });
  }
  let queue: unknown[] = [];
  let sending: Promise<void> | undefined;
  let failed = false;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const drain = async (): Promise<void> => {
    while (queue.length > 0 && !failed) {
      const batch = queue;
      queue = [];
      try {
        const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(batch) });
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      } catch (err) {
        failed = true; // one warning; the run goes on without the dashboard
        options.onError?.(`dashboard ${url} did not take the run's events: ${(err as Error).message}`);
      }
    }
    sending = undefined;
  };
  let runId: string | undefined;
  events.on((e: RunEvent) => {
    if (failed) return;
    if (e.type === 'run.started') runId = e.runId;
    // The finished journal is on disk; the dashboard builds its own from the events. Every event names its run, so
    // two runs posting to one dashboard at once are kept apart.
    const named = { ...e, runId: 'runId' in e && typeof e.runId === 'string' ? e.runId : runId };
    queue.push(e.type === 'run.finished' ? { ...named, journal: undefined } : named);
    sending ??= drain();
  });
  return {
    async flush() {
      while (sending) await sending;
    },
  };
}
