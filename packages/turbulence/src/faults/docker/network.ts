/**
 * @module Network faults inside a container's network namespace, by the network family's own drivers (one
 * implementation of partitions, loss, latency...). The container's namespace gets a name derived from the fault id,
 * the network driver acts on that named namespace, and revert removes the name again.
 *
 *   inject ─▶ inspect State.Pid ─▶ ip netns attach tbc-<key> <pid> ─▶ network.<kind>.inject({ netns: tbc-<key> })
 *   revert ─▶ network.<kind>.revert({ netns: tbc-<key> }) ─▶ ip netns delete tbc-<key>
 *
 * The name also keeps the namespace reachable after a crash of the runner: `recover` finds it by the same name and
 * removes the rules even when the container has stopped meanwhile. Peers may name containers (exact names,
 * `re2:REGEX`, `label=k=v`): they become the containers' addresses.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { AppliedFault, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import { inspectContainer } from '../../os/docker.js';
import { attachNetns, detachNetns, listNetns } from '../../os/netns.js';
import { containerAttrs, resolveContainers } from '../../targets/container.js';
import { faultIdOf, shortKey } from '../naming.js';
import { drivers as networkFamily } from '../network/index.js';
import { kinds, networkKinds } from './schema.js';
import { dockerReachable, resolveFor } from './engine.js';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;

/** The namespace name of a fault on a container: `tbc-` + 10 hex digits of its id (fits any name limit). */
export const netnsNameOf = (faultKey: string): string => `tbc-${shortKey(faultKey)}`;

/** The network target a container's named namespace is, as the network drivers take it. */
function netnsTarget(name: string, device: string): Target {
  return { id: `netns:${name}`, type: 'netns', name, attributes: { netns: name, device } };
}

/** Peers as addresses: IPs and CIDRs stay, container names / `re2:` / `label=k=v` become their IPv4 addresses. */
export async function containerPeers(peers: readonly string[] | undefined): Promise<string[] | undefined> {
  if (!peers) return undefined;
  const out: string[] = [];
  for (const peer of peers) {
    if (CIDR.test(peer)) {
      out.push(peer);
      continue;
    }
    const query: JsonObject = peer.startsWith('label=') ? { label: peer.slice(6) } : { name: peer };
    const found = await resolveContainers(query).catch((err: unknown) => {
      throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `peer "${peer}": ${(err as Error).message}`, {
        location: { path: ['params', 'peers'] },
        hint: 'a peer is an IPv4 address, a CIDR, a container name, re2:REGEX on names, or label=key=value',
      });
    });
    const ips = found.flatMap((t) => containerAttrs(t).ips);
    if (ips.length === 0) {
      throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `peer "${peer}" has no IPv4 address`, {
        hint: 'a container with network mode none or host has no address of its own to filter on',
      });
    }
    out.push(...ips);
  }
  return [...new Set(out)];
}

interface NetState {
  netns: string;
  params: JsonObject;
  inner?: JsonValue;
}

/** A container kind wrapping the network kind `inner`. */
function wrap(kind: keyof typeof networkKinds): FaultDriver<JsonObject> {
  const innerKind = networkKinds[kind];
  const schema = kinds.find((k) => k.kind === kind);
  if (!schema) throw new Error(`no schema for ${kind}`);
  const found = networkFamily.find((d) => d.kind === innerKind);
  if (!found) throw new Error(`the network family has no ${innerKind}`);
  const driver = found as FaultDriver<JsonObject>;
  const inner = () => Promise.resolve(driver);
  const innerFault = (fault: AppliedFault<JsonObject>, name: string, device: string): AppliedFault<JsonObject> => {
    const state = fault.state as NetState | undefined;
    return {
      id: fault.id,
      kind: innerKind,
      target: netnsTarget(name, device),
      params: state?.params ?? fault.params,
      ...(state?.inner !== undefined ? { state: state.inner } : {}),
    };
  };
  return {
    kind,
    summary: `${innerKind} inside a container's network namespace (peers may be container names)`,
    params: schema.params as FaultDriver<JsonObject>['params'],
    reversible: true,
    targets: ['container'],
    check: async () => {
      const daemon = await dockerReachable();
      return daemon.ok ? ((await inner()).check?.() ?? daemon) : daemon;
    },
    resolveTargets: (query) => resolveFor(kind, query, []),
    async inject(target, params, ctx) {
      const key = faultIdOf(ctx, kind, target, params);
      const name = netnsNameOf(key);
      const info = await inspectContainer(containerAttrs(target).id);
      if (!info?.State.Running || !(info.State.Pid > 1)) {
        throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${kind}: container ${target.name} is not running`, {
          hint: 'start it first: a stopped container has no network namespace to act in',
        });
      }
      const peers = await containerPeers(params.peers as string[] | undefined);
      const innerParams: JsonObject = { ...params, ...(peers ? { peers } : {}) };
      await attachNetns(name, info.State.Pid);
      const device = typeof params.device === 'string' ? params.device : 'eth0';
      const state = await (await inner()).inject(netnsTarget(name, device), innerParams, { ...ctx, faultId: key });
      const out: NetState = { netns: name, params: innerParams, ...(state !== undefined ? { inner: state } : {}) };
      return out as unknown as JsonValue;
    },
    async verify(fault, ctx) {
      const driver = await inner();
      const name = (fault.state as NetState | undefined)?.netns ?? revertName(kind, fault);
      return driver.verify ? driver.verify(innerFault(withKey(kind, fault), name, deviceOf(fault)), ctx) : true;
    },
    async revert(fault, ctx) {
      const name = (fault.state as NetState | undefined)?.netns ?? revertName(kind, fault);
      if (!(await listNetns()).includes(name)) return; // never attached, or reverted already
      await (await inner()).revert(innerFault(withKey(kind, fault), name, deviceOf(fault)), ctx);
      await detachNetns(name);
    },
  };
}

const deviceOf = (fault: AppliedFault<JsonObject>): string =>
  typeof fault.params.device === 'string' ? fault.params.device : 'eth0';

/**
 * The key inject used: the ledger id, or (a direct driver call, `id` not a ledger id) kind + target + params.
 * The driver contract calls revert with the id `contract` / `never-injected`: those are direct calls too.
 */
function keyOf(kind: string, fault: AppliedFault<JsonObject>): string {
  return /^container-/.test(fault.id) ? fault.id : faultIdOf(undefined, kind, fault.target, fault.params);
}

const revertName = (kind: string, fault: AppliedFault<JsonObject>): string => netnsNameOf(keyOf(kind, fault));
const withKey = (kind: string, fault: AppliedFault<JsonObject>): AppliedFault<JsonObject> => ({
  ...fault,
  id: keyOf(kind, fault),
});

/** The network kinds of the family. */
export const networkDrivers: readonly FaultDriver<JsonObject>[] = (
  Object.keys(networkKinds) as (keyof typeof networkKinds)[]
).map(wrap);
