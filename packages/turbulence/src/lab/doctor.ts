/**
 * What this machine offers for chaos: the facts `turbulence doctor` prints (root, nft, netem, NFQUEUE, cgroup
 * controllers, stress-ng, faketime, whether a Docker daemon answers) and every registered fault kind's own capability check.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CapabilityResult } from '../core/fault.js';
import { errorMessage } from '../core/errors.js';
import { findBinary, netemAvailable, nfqueueAvailable } from '../faults/network/capabilities.js';
import { listDrivers } from '../faults/registry.js';
import { dockerPing } from './docker-ping.js';

/** One line of the doctor's report. */
export interface DoctorLine {
  name: string;
  result: CapabilityResult;
}

const have = (ok: boolean, detail: string, reason: string): CapabilityResult =>
  ok ? { ok: true, detail } : { ok: false, reason };

const binary = (bin: string, pkg: string): CapabilityResult => {
  const path = findBinary(bin);
  return have(path !== undefined, path ?? '', `\`${bin}\` not found (Debian: ${pkg})`);
};

/** cgroup layout: v2 controllers from cgroup.controllers, v1 from the mounted hierarchies. */
export function cgroupFacts(): CapabilityResult {
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  if (existsSync(v2)) return { ok: true, detail: `v2: ${readFileSync(v2, 'utf8').trim() || '(no controllers)'}` };
  const v1 = ['memory', 'cpu', 'pids', 'freezer', 'blkio'].filter((c) => existsSync(`/sys/fs/cgroup/${c}/tasks`));
  return have(v1.length > 0, `v1: ${v1.join(' ')}`, 'no cgroup hierarchy mounted at /sys/fs/cgroup');
}

/** Facts about the machine, independent of fault kinds. */
export async function machineFacts(): Promise<DoctorLine[]> {
  const root = process.getuid?.() === 0;
  return [
    { name: 'root', result: have(root, 'running as root', 'not root: network, cgroup and lab faults need root') },
    { name: 'linux', result: have(process.platform === 'linux', process.platform, `${process.platform} is not Linux`) },
    { name: 'ip (iproute2)', result: binary('ip', 'iproute2') },
    { name: 'nft', result: binary('nft', 'nftables') },
    { name: 'tc', result: binary('tc', 'iproute2') },
    { name: 'netem qdisc', result: root ? await netemAvailable() : { ok: false, reason: 'needs root to probe' } },
    { name: 'NFQUEUE (nfqueue addon)', result: await nfqueueAvailable() },
    { name: 'cgroups', result: cgroupFacts() },
    { name: 'stress-ng', result: binary('stress-ng', 'stress-ng') },
    { name: 'faketime', result: binary('faketime', 'faketime') },
    { name: 'docker daemon', result: await dockerPing() },
    { name: 'etcd', result: binary('etcd', 'etcd-server') },
  ];
}

/** Every registered fault kind with its capability check (kinds without a check need nothing special). */
export async function kindFacts(): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  const drivers = await listDrivers((family, err) =>
    lines.push({ name: `${family}.*`, result: { ok: false, reason: `family failed to load: ${errorMessage(err)}` } }),
  );
  for (const d of drivers) {
    let result: CapabilityResult = { ok: true };
    try {
      if (d.check) result = await d.check();
    } catch (err) {
      result = { ok: false, reason: errorMessage(err) };
    }
    lines.push({ name: d.kind, result });
  }
  return lines;
}
