/**
 * Traffic-control plumbing for qdisc-based faults. A fault owns one root qdisc handle (derived from its fault id's
 * key) on one device, and for ingress an `ifb` device plus the device's ingress qdisc. Nothing else is touched. A
 * device has one root qdisc and one ingress redirect, so a second fault that needs either is refused (they cannot
 * coexist) instead of replacing the first:
 *
 *   egress:   dev ──root H: (tbf | htb ─┬─ H:1 default, unshaped
 *                                       └─ H:2 shaped/delayed ◀── u32 match ip dst <peer> [match ...])
 *   ingress:  dev ──ingress ffff: ──u32 all──mirred──▶ ifb tbi<key> ──root H: (same tree, match ip src)
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import { run } from '../../os/exec.js';
import { netAttrs } from '../../targets/netns.js';
import { u32Selectors, type MatchParam } from './match.js';

/** A qdisc handle major (hex, without the colon) owned by a fault. */
export const handleFor = (key: string): string => ((parseInt(key.slice(0, 4), 16) % 0xef00) + 0x100).toString(16);

/** Name of the ifb device a fault uses for ingress (at most 15 characters). */
export const ifbFor = (key: string): string => `tbi${key.slice(0, 8)}`;

/** tc inside the target's namespace. */
export function tc(target: Target, args: string[], allowFail = false) {
  const ns = netAttrs(target).netns ?? undefined;
  return run(['tc', ...args], { netns: ns, allowFail, code: ErrorCodes.FAULT_INJECT_FAILED });
}

/** ip inside the target's namespace. */
export function ipIn(target: Target, args: string[], allowFail = false) {
  const ns = netAttrs(target).netns ?? undefined;
  return run(['ip', ...args], { netns: ns, allowFail, code: ErrorCodes.FAULT_INJECT_FAILED });
}

/** The device a fault acts on: the param, the target's own (eth0 of a lab host), else the default route's. */
export async function deviceOf(target: Target, param: string | undefined): Promise<string> {
  const dev = param ?? netAttrs(target).device;
  if (dev) return dev;
  const route = await ipIn(target, ['-o', 'route', 'show', 'default'], true);
  const m = /\bdev (\S+)/.exec(route.stdout);
  if (m?.[1]) return m[1];
  const links = await ipIn(target, ['-o', 'link', 'show'], true);
  const first = links.stdout
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
    .find((n) => n && n !== 'lo');
  if (first) return first;
  throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `cannot tell which device of ${target.name} to use`, {
    hint: 'set params.device (e.g. eth0)',
  });
}

/** The root qdisc's handle major on a device (`0` for the kernel default). */
export async function rootHandle(target: Target, dev: string): Promise<string | undefined> {
  const res = await tc(target, ['qdisc', 'show', 'dev', dev, 'root'], true);
  if (res.code !== 0) return undefined;
  return /qdisc \S+ ([0-9a-f]+):/.exec(res.stdout)?.[1];
}

/** Throws unless the device's root qdisc is the default one (`0:`, `noqueue`, `mq` ...) or already ours. */
export async function claimRoot(target: Target, dev: string, handle: string, kind: string): Promise<void> {
  const current = await rootHandle(target, dev);
  if (current === undefined || current === '0' || current === handle) return;
  throw cannotCoexist(kind, target, `${dev} already has a root qdisc (${current}:)`, `tc qdisc show dev ${dev}`);
}

/** Throws when the device's ingress already redirects to another fault's ifb device. */
export async function claimIngress(target: Target, dev: string, ifb: string, kind: string): Promise<void> {
  const res = await tc(target, ['filter', 'show', 'dev', dev, 'parent', 'ffff:'], true);
  const other = /redirect to device (\S+)/i.exec(res.stdout)?.[1];
  if (other === undefined || other === ifb) return;
  throw cannotCoexist(kind, target, `${dev}'s ingress already goes to ${other}`, `tc filter show dev ${dev} ingress`);
}

function cannotCoexist(kind: string, target: Target, what: string, look: string): TurbulenceError {
  return new TurbulenceError(
    ErrorCodes.FAULT_INJECT_FAILED,
    `${kind} cannot coexist with the fault already on ${target.name}: ${what}`,
    {
      hint: `one qdisc fault per device and direction: revert the other (\`turbulence fault list\`) or use another device; look with \`${look}\``,
    },
  );
}

/**
 * The u32 selectors of peers (`match ip dst|src PEER`) and traffic filters (`params.match`): each peer AND each
 * filter; empty when both are absent (all traffic).
 */
export function selectorsOf(peers: readonly string[], dir: 'dst' | 'src', match: MatchParam): string[][] {
  const byPeer = peers.map((peer) => ['match', 'ip', dir, peer]);
  const byMatch = u32Selectors(match);
  if (byPeer.length === 0) return byMatch;
  if (byMatch.length === 0) return byPeer;
  return byPeer.flatMap((p) => byMatch.map((m) => [...p, ...m]));
}

/**
 * Builds the shaping tree under `handle` on `dev`: one leaf for everything, or htb + u32 for some peers and/or
 * traffic filters (`match`).
 */
export async function installTree(
  target: Target,
  dev: string,
  handle: string,
  leaf: string[],
  peers: readonly string[],
  dir: 'dst' | 'src',
  match?: MatchParam,
): Promise<void> {
  const selectors = selectorsOf(peers, dir, match);
  if (selectors.length === 0) {
    await tc(target, ['qdisc', 'replace', 'dev', dev, 'root', 'handle', `${handle}:`, ...leaf]);
    return;
  }
  await tc(target, ['qdisc', 'replace', 'dev', dev, 'root', 'handle', `${handle}:`, 'htb', 'default', '1']);
  // Class 1 (the default) passes traffic untouched; class 2 gets the leaf qdisc and the peers' filters.
  for (const cls of [1, 2]) {
    await tc(target, [
      'class',
      'replace',
      'dev',
      dev,
      'parent',
      `${handle}:`,
      'classid',
      `${handle}:${cls}`,
      'htb',
      'rate',
      '10gbit',
    ]);
  }
  await tc(target, [
    'qdisc',
    'replace',
    'dev',
    dev,
    'parent',
    `${handle}:2`,
    'handle',
    `${(parseInt(handle, 16) + 1).toString(16)}:`,
    ...leaf,
  ]);
  for (const selector of selectors) {
    const filter = ['filter', 'add', 'dev', dev, 'parent', `${handle}:`, 'protocol', 'ip', 'prio', '1', 'u32'];
    await tc(target, [...filter, ...selector, 'flowid', `${handle}:2`]);
  }
}

/** Redirects a device's ingress traffic to a fresh ifb device, which then gets the tree. */
export async function installIngress(target: Target, dev: string, ifb: string): Promise<void> {
  const exists = await ipIn(target, ['link', 'show', ifb], true);
  if (exists.code !== 0) await ipIn(target, ['link', 'add', ifb, 'type', 'ifb']);
  await ipIn(target, ['link', 'set', ifb, 'up']);
  await tc(target, ['qdisc', 'replace', 'dev', dev, 'handle', 'ffff:', 'ingress']);
  const filter = ['filter', 'replace', 'dev', dev, 'parent', 'ffff:', 'protocol', 'ip', 'prio', '1', 'u32'];
  await tc(target, [...filter, 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb]);
}

/** Removes what a fault installed: its root qdisc (only if the handle is ours), its ingress redirect and ifb. */
export async function removeTree(target: Target, dev: string, handle: string, ifb: string | undefined): Promise<void> {
  if ((await rootHandle(target, dev)) === handle) await tc(target, ['qdisc', 'del', 'dev', dev, 'root'], true);
  if (!ifb) return;
  const hasIfb = (await ipIn(target, ['link', 'show', ifb], true)).code === 0;
  if (hasIfb) {
    await tc(target, ['qdisc', 'del', 'dev', dev, 'ingress'], true);
    await ipIn(target, ['link', 'del', ifb], true);
  }
}

/** Parses a rate like `8mbit`, `500kbit`, `1mbps` (bytes) into bits per second. */
export function parseRate(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/i.exec(rate.trim());
  if (!m) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `rate ${JSON.stringify(rate)} is not a rate`, {
      hint: 'use e.g. 500kbit, 8mbit, 1gbit (bits) or 1mbps (bytes per second)',
    });
  }
  const unit = (m[2] as string).toLowerCase();
  const scale = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 }[unit] ?? 1;
  return Math.round(Number(m[1]) * scale);
}
