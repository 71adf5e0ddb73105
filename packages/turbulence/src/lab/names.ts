/**
 * @module The names a lab gives its kernel objects and processes, each injective in (lab, host, service):
 * lab, host and service names are `[a-z][a-z0-9-]{0,14}`, so a `.` or `_` in a name can only be a separator.
 *
 *   host namespace    tb-<lab>.<host>     ≤ 34 characters (a file name in /run/netns)
 *   switch namespace  tb-<lab>_sw         ≤ 21 characters
 *   host-access link  tb<sha1(lab):8>gw   12 characters (an interface in this machine's namespace: ≤ 15)
 *   service process   <lab>.<host>.<svc>  ≤ 47 characters (a managed-process name)
 *
 * Interfaces inside the lab's own namespaces are `eth0` (each host), `br0`, `h<i>` and `gw` (the switch), all
 * short. The host-access link is a hash, so two labs can collide on it: `lab up` then fails on `ip link add`
 * and removes only what it created itself.
 */
import { createHash } from 'node:crypto';

/** Namespace of a lab host. */
export const hostNetns = (lab: string, host: string): string => `tb-${lab}.${host}`;
/** Namespace holding a lab's bridge. */
export const switchNetns = (lab: string): string => `tb-${lab}_sw`;
/** Name of the host-access veth in this machine's namespace (at most 15 characters). */
export const rootLinkName = (lab: string): string => `tb${createHash('sha1').update(lab).digest('hex').slice(0, 8)}gw`;
/** Managed-process name of a lab service (`process.*` faults: `{ managed }` or `{ lab, host, service }`). */
export const serviceProcessName = (lab: string, host: string, service: string): string => `${lab}.${host}.${service}`;

/** Longest interface name the kernel takes (IFNAMSIZ − 1). */
export const IFNAME_MAX = 15;
