/**
 * Helpers of the network drivers: peers (lab host names, addresses, CIDRs). Kernel objects are named in
 * `../naming.ts`; targets themselves are resolved in `targets/netns.ts`.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import { readLabState } from '../../lab/state.js';
import { netAttrs } from '../../targets/netns.js';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;

/** Turns peers (lab host names, addresses, CIDRs) into addresses/CIDRs nft understands. */
export function resolvePeers(peers: readonly string[] | undefined, target: Target): string[] {
  if (!peers) return [];
  const a = netAttrs(target);
  const lab = a.lab ? readLabState(a.lab) : undefined;
  return peers.map((p) => {
    if (CIDR.test(p)) return p;
    const h = lab?.hosts.find((x) => x.name === p);
    if (h) return h.address;
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `peer "${p}" is not an address, a CIDR or a host of the lab`,
      {
        hint: lab ? `hosts: ${lab.hosts.map((x) => x.name).join(', ')}` : 'use an IPv4 address or CIDR',
      },
    );
  });
}
