/**
 * @module Names of the kernel and server objects a fault creates (nft tables, cgroups, stress tags, tc handles,
 * ifb devices, toxics, DNS rules). Every name is derived from the fault's unique ledger id, so two faults never
 * share an object, even with the same kind, target and params; and `revert` finds the object from the ledger
 * entry alone, even when `inject` never returned.
 *
 *   id  process-stop-m3x8k2ab-1a2b3c
 *   ──▶ objectName('turbulence_', id) = turbulence_process_stop_m3x8k2ab_1a2b3c   (nft table, cgroup)
 *   ──▶ shortKey(id)                  = 10 hex digits of sha1(id)                (tc handle, ifb device)
 */
import { createHash } from 'node:crypto';
import type { FaultContext, Target } from '../core/fault.js';

/**
 * The id of the fault being injected: the manager's ledger id (`ctx.faultId`). A driver called directly, without
 * a manager and so without a ledger id, gets a key derived from kind + target + params instead, so that calling
 * `inject` twice still finds the same objects (the driver contract: inject is safe to run twice).
 *
 * @example
 * const id = faultIdOf(ctx, 'network.loss', target, params);
 */
export function faultIdOf(
  ctx: Pick<FaultContext, 'faultId'> | undefined,
  kind: string,
  target: Target,
  params: unknown,
): string {
  return ctx?.faultId ?? directKey(kind, target, params);
}

/** The key of a fault injected without a manager: 10 hex digits of sha1(kind, target id, params). */
export function directKey(kind: string, target: Target, params: unknown): string {
  return createHash('sha1')
    .update(`${kind}\n${target.id}\n${JSON.stringify(params)}`)
    .digest('hex')
    .slice(0, 10);
}

/**
 * `prefix` + the id with every character outside `[A-Za-z0-9_]` turned into `_` (valid for nft, cgroupfs,
 * environment values and HTTP paths).
 *
 * @example
 * objectName('turbulence_', 'network-loss-m3x8k2ab-1a2b3c'); // 'turbulence_network_loss_m3x8k2ab_1a2b3c'
 */
export function objectName(prefix: string, id: string): string {
  return `${prefix}${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * Ten hex digits of sha1(id), for names the kernel keeps short (an ifb device: 15 characters; a qdisc
 * handle: 16 bits).
 *
 * @example
 * shortKey('network-latency-m3x8k2ab-1a2b3c'); // e.g. '5e0c1f9a2b'
 */
export function shortKey(id: string): string {
  return createHash('sha1').update(id).digest('hex').slice(0, 10);
}
