/**
 * @module libfaketime clock files as targets (type `clock`): `{ clockFile: PATH }` names the offset file a process
 * started under libfaketime reads its wall clock from (see `os/faketime.ts`). The id is `clock:<path>`.
 */
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';

/** True when a query names a clock file (`{ clockFile }`) rather than processes. */
export function isClockQuery(query: JsonObject | undefined): query is JsonObject & { clockFile: string } {
  return typeof query?.clockFile === 'string';
}

/**
 * The clock file a query names.
 *
 * @example
 * await resolveClocks({ clockFile: '/tmp/app.clock' }); // [{ id: 'clock:/tmp/app.clock', type: 'clock', ... }]
 */
export function resolveClocks(query: JsonObject | undefined): Promise<Target[]> {
  if (!isClockQuery(query)) return Promise.resolve([]);
  const f = query.clockFile;
  return Promise.resolve([{ id: `clock:${f}`, type: 'clock', name: f, attributes: { clockFile: f } }]);
}
