/** Test helper: awaits a provider call that must fail as an activity failure, and returns its message. */
import { expect } from 'vitest';
import { isTurbulenceError } from '../../src/core/errors.js';

export async function activityFailure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTurbulenceError(err, 'TURB_ERR_ACTIVITY_FAILED')).toBe(true);
  return (err as Error).message;
}
