/**
 * @module Undo records kept ON the Kubernetes object: a fault that changes a node or a workload writes, in the same
 * patch as the change (or before it, for a scale), the annotation `turbulence.io/fault-<id>` holding what to put
 * back. Revert reads it, undoes and removes it; no annotation means nothing to undo (never injected, or reverted).
 * So a runner SIGKILLed between the change and its ledger update still leaves `recover` everything it needs, and
 * `kubectl get node -o yaml` shows who changed what.
 */
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { JsonObject, JsonValue } from '../../core/json.js';

/** The annotation prefix of undo records. */
export const MARKER_PREFIX = 'turbulence.io/fault-';

/** The annotation key of a fault id (a valid annotation name: ≤ 63 characters, alphanumeric at both ends). */
export function markerKey(faultId: string | undefined): string {
  const id = (faultId ?? `manual-${randomBytes(4).toString('hex')}`).replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${MARKER_PREFIX}${id.slice(0, 57).replace(/[^A-Za-z0-9]+$/, '')}`;
}

/** The undo record under `key` on an object, or undefined. */
export function readMarker(obj: KubernetesObject | undefined, key: string): JsonObject | undefined {
  const raw = obj?.metadata?.annotations?.[key];
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as JsonValue;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** The marker key a revert uses: the one inject returned in its state, else the one derived from the fault id. */
export function markerOf(state: JsonValue | undefined, faultId: string): string {
  const m = (state as { marker?: unknown } | null | undefined)?.marker;
  return typeof m === 'string' ? m : markerKey(faultId);
}

/** A merge-patch fragment setting (record) or removing (null) an undo record. */
export function markerPatch(
  key: string,
  record: JsonObject | null,
): { metadata: { annotations: Record<string, string | null> } } {
  return { metadata: { annotations: { [key]: record === null ? null : JSON.stringify(record) } } };
}
