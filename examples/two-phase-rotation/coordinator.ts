/**
 * The rotation coordinator: two-phase commit of a new CA across the instances.
 *
 *   prepare ──(every instance acknowledged before the deadline)──▶ decision: commit ──▶ commit to each
 *          └─(a prepare still missing at the deadline)─────────▶ decision: abort  ──▶ abort to each
 *   then heartbeat { decision } every few ms until every instance reports the decided state (repairs lost messages)
 */
import type { Cluster, InstanceState } from './cluster.js';

/** Timings of one rotation. */
export interface RotateOptions {
  ca: string;
  version: number;
  /** Give up on prepares (and abort) after this long. */
  prepareTimeoutMs?: number;
  /**
   * Stop heartbeating after this long even if not every instance reached the decided state. The deadline moves
   * while an instance is down (restarting), up to ten times this long, so a slow restart is not mistaken for a
   * protocol failure.
   */
  settleTimeoutMs?: number;
  heartbeatMs?: number;
}

/** How the rotation ended. */
export interface RotateResult {
  decision: 'commit' | 'abort';
  /** Every instance reported the decided state before the settle timeout. */
  settled: boolean;
}

async function post(cluster: Cluster, name: string, path: string, body: object): Promise<unknown> {
  const url = cluster.url(name);
  if (!url) throw new Error(`${name} is down`);
  const res = await fetch(`${url}/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(1000),
  });
  if (!res.ok) throw new Error(`${name} ${path}: ${res.status}`);
  return res.json();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function prepareOne(cluster: Cluster, name: string, o: RotateOptions, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      await post(cluster, name, 'prepare', { version: o.version, ca: o.ca });
      return true;
    } catch {
      await sleep(25);
    }
  }
  return false;
}

function decided(state: InstanceState, decision: RotateResult['decision'], ca: string): boolean {
  return state.prepared === null && (decision === 'abort' ? state.ca !== ca : state.ca === ca);
}

/**
 * Rotates the CA of every instance of `cluster` to `o.ca`.
 *
 * @example
 * const { decision } = await rotate(cluster, { ca: 'ca-v2', version: 2 });
 */
export async function rotate(cluster: Cluster, names: readonly string[], o: RotateOptions): Promise<RotateResult> {
  const prepareDeadline = Date.now() + (o.prepareTimeoutMs ?? 2000);
  const acks = await Promise.all(names.map((n) => prepareOne(cluster, n, o, prepareDeadline)));
  const decision = acks.every(Boolean) ? 'commit' : 'abort';
  await Promise.allSettled(names.map((n) => post(cluster, n, decision, { version: o.version, ca: o.ca })));
  const settle = o.settleTimeoutMs ?? 1000;
  const hardDeadline = Date.now() + 10 * settle;
  let deadline = Date.now() + settle;
  while (Date.now() < Math.min(deadline, hardDeadline)) {
    const states = await Promise.allSettled(
      names.map((n) => post(cluster, n, 'heartbeat', { version: o.version, ca: o.ca, decision })),
    );
    if (states.every((s) => s.status === 'fulfilled' && decided(s.value as InstanceState, decision, o.ca))) {
      return { decision, settled: true };
    }
    if (states.some((s) => s.status === 'rejected')) deadline = Math.max(deadline, Date.now() + settle);
    await sleep(o.heartbeatMs ?? 20);
  }
  return { decision, settled: false };
}
