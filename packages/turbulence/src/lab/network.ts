/**
 * Builds and removes a lab's network:
 *
 *   tb-<lab>.n1 [eth0 10.77.0.11] ──veth── h0 ┐
 *   tb-<lab>.n2 [eth0 10.77.0.12] ──veth── h1 ├─ br0 in tb-<lab>_sw (the "switch")
 *   this machine [tb<hash>gw 10.77.0.1] ── gw ┘   (only with hostAccess)
 *
 * Every veth is created directly inside its namespaces, so nothing appears in this machine's namespace
 * except the optional host-access link, and Docker's FORWARD policy never sees lab traffic.
 * Host names resolve inside the lab through `/etc/netns/<ns>/hosts`, which `ip netns exec` bind-mounts.
 * Each namespace and link is marked in `state.created` just before it is made (and unmarked when making it
 * fails), so a failed `up` and `down` remove only what this lab made; names are in `names.ts`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { hostNetns, rootLinkName, switchNetns } from './names.js';
import { assignAddresses, type LabSpec } from './spec.js';
import { writeLabState, type LabState } from './state.js';
import { run } from '../os/exec.js';
import { listNetns, netnsPids } from '../os/netns.js';
import { terminate } from '../os/signals.js';

export { hostNetns, rootLinkName, switchNetns };

/** Files in `/etc/netns/<ns>/` are bind-mounted over `/etc/` by `ip netns exec <ns>` (hosts, resolv.conf). */
export const ETC_NETNS = '/etc/netns';

/** The lab's gateway address (`.1`): this machine's end of the host-access link. */
export const gatewayAddress = (subnet: string): string => `${subnet.replace(/\.0\/24$/, '.')}1`;

/** The state a lab starts from: what it will own, recorded before anything is created. */
export function planLab(spec: LabSpec, logDir: string, file?: string): LabState {
  const addresses = assignAddresses(spec);
  return {
    name: spec.name,
    ...(file ? { file } : {}),
    subnet: spec.subnet,
    switchNetns: switchNetns(spec.name),
    rootLinks: spec.hostAccess ? [rootLinkName(spec.name)] : [],
    hosts: spec.hosts.map((h) => ({
      name: h.name,
      netns: hostNetns(spec.name, h.name),
      address: addresses.get(h.name) as string,
      services: {},
    })),
    status: 'building',
    created: [],
    logDir,
    createdAt: new Date().toISOString(),
  };
}

/**
 * Records `key` as this lab's before running `make`, and forgets it again when `make` fails (the object may
 * belong to someone else: another lab, a leftover), so teardown never removes what this lab did not create.
 */
async function create(state: LabState, key: string, make: () => Promise<unknown>): Promise<void> {
  const created = (state.created ??= []);
  created.push(key);
  writeLabState(state);
  try {
    await make();
  } catch (err) {
    created.splice(created.lastIndexOf(key), 1);
    writeLabState(state);
    throw err;
  }
}

/** Refuses to build over namespaces that exist already (another lab's, or left by a crash). */
async function refuseExisting(state: LabState): Promise<void> {
  const existing = new Set(await listNetns());
  const taken = [state.switchNetns, ...state.hosts.map((h) => h.netns)].filter((n) => existing.has(n));
  if (taken.length > 0) {
    throw new TurbulenceError(ErrorCodes.CONFIGURATION, `network namespace ${taken.join(', ')} exists already`, {
      hint: 'a lab of this name was not taken down: `turbulence recover` or `turbulence lab down NAME` removes it',
    });
  }
}

/** Creates the switch, the hosts, their links and hosts files. */
export async function buildNetwork(state: LabState): Promise<void> {
  const sw = state.switchNetns;
  const ip = (args: string[], netns?: string) => run(netns ? ['ip', '-n', netns, ...args] : ['ip', ...args]);
  await refuseExisting(state);
  await create(state, `netns:${sw}`, () => ip(['netns', 'add', sw]));
  await ip(['link', 'set', 'lo', 'up'], sw);
  await ip(['link', 'add', 'br0', 'type', 'bridge'], sw);
  await ip(['link', 'set', 'br0', 'up'], sw);
  for (const [i, h] of state.hosts.entries()) {
    await create(state, `netns:${h.netns}`, () => ip(['netns', 'add', h.netns]));
    await ip(['link', 'add', 'eth0', 'netns', h.netns, 'type', 'veth', 'peer', 'name', `h${i}`, 'netns', sw]);
    await ip(['link', 'set', `h${i}`, 'master', 'br0', 'up'], sw);
    await ip(['addr', 'add', `${h.address}/24`, 'dev', 'eth0'], h.netns);
    await ip(['link', 'set', 'eth0', 'up'], h.netns);
    await ip(['link', 'set', 'lo', 'up'], h.netns);
  }
  const gwAddress = gatewayAddress(state.subnet);
  for (const link of state.rootLinks) {
    const peer = ['peer', 'name', 'gw', 'netns', sw];
    await create(state, `link:${link}`, () => ip(['link', 'add', link, 'type', 'veth', ...peer]));
    await ip(['link', 'set', 'gw', 'master', 'br0', 'up'], sw);
    await ip(['addr', 'add', `${gwAddress}/24`, 'dev', link]);
    await ip(['link', 'set', link, 'up']);
  }
  writeHostsFiles(state, state.rootLinks.length > 0 ? gwAddress : undefined);
}

function writeHostsFiles(state: LabState, gwAddress: string | undefined): void {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost'];
  if (gwAddress) lines.push(`${gwAddress}\thost`);
  for (const h of state.hosts) lines.push(`${h.address}\t${h.name} ${h.name}.${state.name}.lab`);
  for (const h of state.hosts) {
    const dir = join(ETC_NETNS, h.netns);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts'), `${lines.join('\n')}\n`);
  }
}

/** The namespaces and root links this lab created (everything it names, for states without `created`). */
export function ownedObjects(state: LabState): { namespaces: string[]; links: string[] } {
  const named = [...state.hosts.map((h) => h.netns), state.switchNetns];
  const created = state.created;
  if (!created) return { namespaces: named, links: [...state.rootLinks] };
  return {
    namespaces: named.filter((n) => created.includes(`netns:${n}`)),
    links: state.rootLinks.filter((l) => created.includes(`link:${l}`)),
  };
}

/**
 * Removes everything this lab created: processes inside its namespaces (found by namespace, so orphans of a
 * crashed supervisor are found too), the namespaces, the host-access link and the hosts files. Objects the state
 * names but another lab (or a leftover) owns are left alone. Safe to run twice and on a half-built lab.
 */
export async function teardownNetwork(state: LabState, graceMs = 10_000): Promise<string[]> {
  const { namespaces, links } = ownedObjects(state);
  const existing = new Set(await listNetns());
  const pids = (await Promise.all(namespaces.filter((n) => existing.has(n)).map(netnsPids))).flat();
  await terminate(pids, graceMs);
  for (const ns of namespaces) {
    if (existing.has(ns)) await run(['ip', 'netns', 'del', ns], { allowFail: true });
    rmSync(join(ETC_NETNS, ns), { recursive: true, force: true });
  }
  for (const link of links) await run(['ip', 'link', 'del', link], { allowFail: true });
  return namespaces;
}
