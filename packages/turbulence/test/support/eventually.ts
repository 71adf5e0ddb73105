/**
 * The one polling helper of the tests: wait for a condition on real state (a process state, a socket, a file)
 * instead of sleeping a fixed time. Bounded: it gives up after `ms` and answers with a last check.
 */

/**
 * Polls `check` every `everyMs` until it returns true or `ms` have passed; resolves with the last answer.
 *
 * @example
 * expect(await eventually(async () => (await stateOf(pid)) === 'T')).toBe(true);
 */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 2000, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

/**
 * Polls until `check` answers `want` (true or false): "the fault shows" and "the fault is gone" alike.
 *
 * @example
 * expect(await settles(inEffect, false, 2000)).toBe(true);
 */
export function settles(check: () => Promise<boolean>, want: boolean, ms = 2000): Promise<boolean> {
  return eventually(async () => (await check()) === want, ms);
}
