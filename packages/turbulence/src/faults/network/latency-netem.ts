/**
 * The netem backend of `network.latency`: a netem qdisc (all traffic, or htb + u32 per peer; ingress via ifb).
 */
import type { CapabilityResult, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { netemAvailable } from './capabilities.js';
import type { LatencyBackend, LatencyParams } from './latency-types.js';
import {
  claimIngress,
  claimRoot,
  deviceOf,
  handleFor,
  ifbFor,
  installIngress,
  installTree,
  removeTree,
  rootHandle,
} from './tc.js';

/** netem arguments for the params. */
export function netemArgs(p: LatencyParams): string[] {
  const out = ['netem', 'delay', `${p.delay}ms`];
  if (p.jitter > 0) out.push(`${p.jitter}ms`);
  if (p.reorder !== undefined) out.push('reorder', `${p.reorder}%`);
  if (p.duplicate !== undefined) out.push('duplicate', `${p.duplicate}%`);
  if (p.corrupt !== undefined) out.push('corrupt', `${p.corrupt}%`);
  return out;
}

interface NetemState {
  backend: 'netem';
  device: string;
  handle: string;
  ifb?: string;
}

async function stateOf(target: Target, p: LatencyParams, key: string, state: unknown): Promise<NetemState> {
  const s = state as Partial<NetemState> | undefined;
  if (s?.device && s.handle) return s as NetemState;
  const ifb = p.direction === 'egress' ? {} : { ifb: ifbFor(key) };
  return { backend: 'netem', device: await deviceOf(target, p.device), handle: handleFor(key), ...ifb };
}

export const netemBackend: LatencyBackend = {
  name: 'netem',
  available: (): Promise<CapabilityResult> => netemAvailable(),
  unsupported: () => undefined,
  async inject(target, p, key, peers) {
    const s = await stateOf(target, p, key, undefined);
    if (p.direction !== 'ingress') {
      await claimRoot(target, s.device, s.handle, 'network.latency');
      await installTree(target, s.device, s.handle, netemArgs(p), peers, 'dst', p.match);
    }
    if (s.ifb) {
      await claimIngress(target, s.device, s.ifb, 'network.latency');
      await installIngress(target, s.device, s.ifb);
      await installTree(target, s.ifb, s.handle, netemArgs(p), peers, 'src', p.match);
    }
    const out: JsonObject = { ...s };
    return out;
  },
  async revert(target, p, key, state) {
    const s = await stateOf(target, p, key, state);
    await removeTree(target, s.device, s.handle, s.ifb);
  },
  async verify(target, p, key, state) {
    const s = await stateOf(target, p, key, state);
    const dev = s.ifb && p.direction === 'ingress' ? s.ifb : s.device;
    return (await rootHandle(target, dev)) === s.handle;
  },
};
