/**
 * @module Network targets (type `netns`): a lab host, a named network namespace, or this machine itself.
 *
 *   { lab: "etcd", hosts: ["n1", "n2"] }   hosts of a lab that is up (all of them without `hosts`)
 *   { netns: "blue" }                       any named namespace (`ip netns list`)
 *   { host: true }                          this machine's own namespace (peers required for drop-everything kinds)
 *
 * The id is `netns:<name>` (`netns:` for this machine).
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { readLabState } from '../lab/state.js';
import { listNetns } from '../os/netns.js';
import { networkQuerySchema } from './queries.js';

export { networkQuerySchema } from './queries.js';

/** What a network target carries. `netns` is null for this machine's own namespace. */
export interface NetworkAttributes {
  netns: string | null;
  lab?: string;
  host?: string;
  address?: string;
  device?: string;
}

/** Reads a network target's attributes back. */
export function netAttrs(target: Target): NetworkAttributes {
  const a = target.attributes;
  return {
    netns: typeof a.netns === 'string' ? a.netns : null,
    ...(typeof a.lab === 'string' ? { lab: a.lab } : {}),
    ...(typeof a.host === 'string' ? { host: a.host } : {}),
    ...(typeof a.address === 'string' ? { address: a.address } : {}),
    ...(typeof a.device === 'string' ? { device: a.device } : {}),
  };
}

/**
 * Resolves a query to targets, sorted by id.
 *
 * @example
 * await resolveNetworkTargets({ lab: 'etcd', hosts: 'n1' }); // [{ id: 'netns:tb-etcd-n1', ... }]
 */
export async function resolveNetworkTargets(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = networkQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `invalid network target: ${parsed.error.issues[0]?.message}`,
      {
        hint: 'e.g. target: { lab: etcd, hosts: [n1] } or { netns: blue } or { host: true }',
      },
    );
  }
  const q = parsed.data;
  const device: JsonObject = q.device ? { device: q.device } : {};
  if (q.host) return [{ id: 'netns:', type: 'netns', name: 'this machine', attributes: { netns: null, ...device } }];
  if (q.netns) {
    const present = new Set(await listNetns());
    return q.netns.sort().map((ns) => {
      if (!present.has(ns)) throw refused(`network namespace "${ns}" does not exist`, 'see `ip netns list`');
      return { id: `netns:${ns}`, type: 'netns', name: ns, attributes: { netns: ns, ...device } };
    });
  }
  const lab = readLabState(q.lab as string);
  if (!lab) throw refused(`lab "${q.lab}" is not up`, 'start it with `turbulence lab up LABFILE`');
  const wanted = q.hosts ?? lab.hosts.map((h) => h.name);
  return wanted.sort().map((name) => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h)
      throw refused(`lab "${lab.name}" has no host "${name}"`, `hosts: ${lab.hosts.map((x) => x.name).join(', ')}`);
    return {
      id: `netns:${h.netns}`,
      type: 'netns',
      name: `${lab.name}/${h.name}`,
      attributes: { netns: h.netns, lab: lab.name, host: h.name, address: h.address, device: 'eth0' },
    };
  });
}

function refused(message: string, hint: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TARGET_REFUSED, message, { hint });
}

/** True when the target's namespace still exists (reverting a fault on a removed lab has nothing to do). */
export async function targetPresent(target: Target): Promise<boolean> {
  const ns = netAttrs(target).netns;
  return ns === null || (await listNetns()).includes(ns);
}
