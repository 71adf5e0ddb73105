/** @module The capability check shared by every `process.*` kind. */
import type { CapabilityResult } from '../../core/fault.js';
import { procReadable } from '../../os/proc.js';

/** The `check` of every `process.*` kind: it needs a readable `/proc` (Linux), nothing else (no root). */
export async function procAvailable(): Promise<CapabilityResult> {
  return (await procReadable())
    ? { ok: true, detail: '/proc is readable; no root needed for your own processes' }
    : { ok: false, reason: 'needs Linux /proc (process targets are found and checked there)' };
}
