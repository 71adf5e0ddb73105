/**
 * `network.latency`: delay (with jitter, reorder, duplicate, corrupt) on a target's traffic, optionally per peer.
 * Uses netem where the kernel has it and NFQUEUE in user space where it does not; the choice is made at run time,
 * returned in the fault's state (so the journal shows it), and a machine with neither fails BEFORE anything is
 * injected, saying why.
 *
 * @example
 * { kind: 'network.latency', target: { lab: 'etcd', hosts: ['n3'] }, params: { delay: '200ms', jitter: 20 } }
 */
import type { CapabilityResult, FaultDriver } from '../../core/fault.js';
import { requireTools, unsupported } from './capabilities.js';
import { netemBackend } from './latency-netem.js';
import { nfqueueBackend } from './latency-nfqueue.js';
import { latencyParams, type LatencyBackend, type LatencyParams } from './latency-types.js';
import { faultIdOf, shortKey } from '../naming.js';
import { resolvePeers } from './targets.js';
import { resolveNetworkTargets, targetPresent } from '../../targets/netns.js';

const KIND = 'network.latency';
/** Preference order for `backend: auto`. */
const BACKENDS: readonly LatencyBackend[] = [netemBackend, nfqueueBackend];

/** The backend these params will use here, or a `FAULT_UNSUPPORTED` error with every reason. */
export async function chooseBackend(p: LatencyParams): Promise<LatencyBackend> {
  const reasons: string[] = [];
  for (const b of BACKENDS) {
    if (p.backend !== 'auto' && p.backend !== b.name) continue;
    const avail = await b.available();
    const why = avail.ok ? b.unsupported(p) : avail.reason;
    if (!why) return b;
    reasons.push(`${b.name}: ${why}`);
  }
  throw unsupported(KIND, reasons.join('; '));
}

const backendOf = (state: unknown): LatencyBackend | undefined =>
  BACKENDS.find((b) => b.name === (state as { backend?: unknown } | undefined)?.backend);

/** The key of a fault's tc handle / ifb / NFQUEUE chain: recorded in its state, else derived from its ledger id. */
const keyOf = (fault: { id: string; state?: unknown }): string => {
  const k = (fault.state as { key?: unknown } | undefined)?.key;
  return typeof k === 'string' ? k : shortKey(fault.id);
};

export const latencyDriver: FaultDriver<LatencyParams> = {
  kind: KIND,
  summary: 'delay packets (jitter, reorder, duplicate, corrupt) with netem, or NFQUEUE in user space without it',
  params: latencyParams,
  targets: ['netns'],
  resolveTargets: (query) => resolveNetworkTargets(query),
  async check(): Promise<CapabilityResult> {
    const tools = await requireTools(['tc', 'ip']);
    if (!tools.ok) return tools;
    try {
      const b = await chooseBackend(latencyParams.parse({ delay: 1 }));
      return { ok: true, detail: `backend ${b.name}` };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  },
  async inject(target, p, ctx) {
    await requireTools(['tc', 'ip'], KIND);
    const backend = await chooseBackend(p);
    const peers = resolvePeers(p.peers, target);
    const key = shortKey(faultIdOf(ctx, KIND, target, p));
    return { ...(await backend.inject(target, p, key, peers)), key };
  },
  async revert(fault) {
    if (!(await targetPresent(fault.target))) return;
    const k = keyOf(fault);
    const known = backendOf(fault.state);
    // Without a recorded backend (inject never returned), undo whatever either backend may have left.
    for (const b of known ? [known] : BACKENDS) await b.revert(fault.target, fault.params, k, fault.state);
  },
  async verify(fault) {
    const b = backendOf(fault.state) ?? (await chooseBackend(fault.params));
    return b.verify(fault.target, fault.params, keyOf(fault), fault.state);
  },
};
