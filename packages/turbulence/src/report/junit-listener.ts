/**
 * JUnit as a listener: writes the XML when the run finishes (`run.finished`), from the journal that event carries.
 */
import { writeFileAtomic } from '../faults/paths.js';
import type { RunEvents } from '../experiment/events.js';
import { journalToJUnit } from './junit.js';

/**
 * Subscribes to `events`; `flush()` waits for the file (and rethrows a write error).
 *
 * @example
 * const junit = writeJUnitOnFinish(events, 'junit.xml');
 * await runExperiment(experiment, { events });
 * await junit.flush();
 */
export function writeJUnitOnFinish(events: RunEvents, path: string): { flush(): Promise<void> } {
  let written: Promise<void> = Promise.resolve();
  events.on((e) => {
    if (e.type === 'run.finished') written = writeFileAtomic(path, journalToJUnit(e.journal), 0o644);
  });
  return { flush: () => written };
}
