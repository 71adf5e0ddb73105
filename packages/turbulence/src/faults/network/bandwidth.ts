/**
 * `network.bandwidth`: limits the target's egress and/or ingress rate (tbf; htb + u32 per peer; ingress through an
 * ifb device). Owns one root qdisc handle per device, derived from the fault's key.
 *
 * @example
 * { kind: 'network.bandwidth', target: { lab: 'demo', hosts: ['db'] }, params: { rate: '1mbit', direction: 'both' } }
 */
import type { z } from 'zod';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { requireTools } from './capabilities.js';
import {
  claimRoot,
  deviceOf,
  handleFor,
  ifbFor,
  installIngress,
  installTree,
  parseRate,
  removeTree,
  claimIngress,
  rootHandle,
} from './tc.js';
import { faultIdOf, shortKey } from '../naming.js';
import { resolvePeers } from './targets.js';
import { resolveNetworkTargets, targetPresent } from '../../targets/netns.js';
import { bandwidthParams as params } from './schema.js';

type Params = z.output<typeof params>;

interface BandwidthState {
  device: string;
  handle: string;
  ifb?: string;
}

const KIND = 'network.bandwidth';

/** tbf leaf for a rate: a burst of ~10 ms of traffic (at least one MTU), a queue of ~400 ms. */
function tbf(rate: string): string[] {
  const bps = parseRate(rate);
  const burst = Math.max(3200, Math.round(bps / 8 / 100));
  return ['tbf', 'rate', `${bps}bit`, 'burst', String(burst), 'latency', '400ms'];
}

async function stateOf(target: Target, p: Params, faultId: string, state: unknown): Promise<BandwidthState> {
  const s = state as Partial<BandwidthState> | undefined;
  if (s?.device && s.handle) return s as BandwidthState;
  const key = shortKey(faultId);
  const ingress = p.direction !== 'egress';
  return { device: await deviceOf(target, p.device), handle: handleFor(key), ...(ingress ? { ifb: ifbFor(key) } : {}) };
}

export const bandwidthDriver: FaultDriver<Params> = {
  kind: KIND,
  summary: 'limit egress and/or ingress rate, optionally per peer (tbf, htb+u32, ifb)',
  params,
  targets: ['netns'],
  resolveTargets: (query) => resolveNetworkTargets(query),
  check: () => requireTools(['tc', 'ip']),
  async inject(target, p, ctx) {
    await requireTools(['tc', 'ip'], KIND);
    const s = await stateOf(target, p, faultIdOf(ctx, KIND, target, p), undefined);
    const peers = resolvePeers(p.peers, target);
    const leaf = tbf(p.rate);
    if (p.direction !== 'ingress') {
      await claimRoot(target, s.device, s.handle, KIND);
      await installTree(target, s.device, s.handle, leaf, peers, 'dst', p.match);
    }
    if (s.ifb) {
      await claimIngress(target, s.device, s.ifb, KIND);
      await installIngress(target, s.device, s.ifb);
      await installTree(target, s.ifb, s.handle, leaf, peers, 'src', p.match);
    }
    const out: JsonObject = { ...s, peers };
    return out;
  },
  async revert(fault) {
    if (!(await targetPresent(fault.target))) return;
    const s = await stateOf(fault.target, fault.params, fault.id, fault.state);
    await removeTree(fault.target, s.device, s.handle, s.ifb);
  },
  async verify(fault) {
    const s = await stateOf(fault.target, fault.params, fault.id, fault.state);
    const egressOk = fault.params.direction === 'ingress' || (await rootHandle(fault.target, s.device)) === s.handle;
    const ingressOk = !s.ifb || (await rootHandle(fault.target, s.ifb)) === s.handle;
    return egressOk && ingressOk;
  },
};
