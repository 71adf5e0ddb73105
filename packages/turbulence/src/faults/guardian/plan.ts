/**
 * @module The guardian's decision, as a pure function over ledger entries: which expired faults to revert now,
 * and when to look again.
 *
 *   entry without expiresAt ─────────────────────────▶ ignored (its owner, or `recover`, reverts it)
 *   expiresAt in the future ─────────────────────────▶ wake at expiresAt
 *   expired, owned by another host ──────────────────▶ ignored (no way to tell whether its owner lives)
 *   expired, owner alive and not detached ───────────▶ the owner holds it: look again soon (backoff)
 *   expired, owner gone, or detached ────────────────▶ revert now
 */
import type { LedgerEntry } from '../ledger.js';

/** What the guardian knows about one entry's owner. */
export type OwnerState = 'alive' | 'gone' | 'other-host';

/** What {@link planGuardian} decided. */
export interface GuardianPlan {
  /** Expired entries to revert now, newest first (like `recover`). */
  revert: LedgerEntry[];
  /** Expired entries whose live owner still holds them. */
  held: LedgerEntry[];
  /** Epoch ms of the next expiry still ahead, or undefined. */
  nextExpiry: number | undefined;
  /** True when nothing is left to expire: the guardian may exit. */
  idle: boolean;
}

/**
 * Decides what to revert now and when to wake next.
 *
 * @example
 * const plan = planGuardian(entries, (e) => owners.get(e.id) ?? 'gone', Date.now());
 */
export function planGuardian(
  entries: readonly LedgerEntry[],
  ownerOf: (entry: LedgerEntry) => OwnerState,
  now: number,
): GuardianPlan {
  const plan: GuardianPlan = { revert: [], held: [], nextExpiry: undefined, idle: true };
  for (const entry of entries) {
    if (entry.expiresAt === undefined) continue;
    const owner = ownerOf(entry);
    if (owner === 'other-host') continue;
    plan.idle = false;
    const at = Date.parse(entry.expiresAt);
    if (!(at <= now)) {
      plan.nextExpiry = plan.nextExpiry === undefined ? at : Math.min(plan.nextExpiry, at);
    } else if (owner === 'alive' && entry.detached !== true) {
      plan.held.push(entry);
    } else {
      plan.revert.push(entry);
    }
  }
  plan.revert.reverse();
  return plan;
}

/**
 * When to wake next: the next expiry, sooner when an expired entry is held by a live owner (its revert should
 * be done within `heldRecheckMs`), never later than the safety net.
 */
export function nextWake(plan: GuardianPlan, now: number, safetyMs: number, heldRecheckMs: number): number {
  let at = now + safetyMs;
  if (plan.nextExpiry !== undefined) at = Math.min(at, plan.nextExpiry);
  if (plan.held.length > 0) at = Math.min(at, now + heldRecheckMs);
  return Math.max(at, now);
}
