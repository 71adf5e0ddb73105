/**
 * Finding a container's process from its ID, over a /proc-shaped directory (cgroup v1 and v2 lines, the layouts
 * of containerd under systemd and cgroupfs drivers, Docker, CRI-O), and the names the transport derives.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netnsName, requestName } from '../faults/kubernetes/fault-request.js';
import { bareContainerId, containerPid } from './container.js';

const ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);
const root = mkdtempSync(join(tmpdir(), 'turbulence-proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function proc(pid: number, cgroup: string): void {
  mkdirSync(join(root, String(pid)));
  writeFileSync(join(root, String(pid), 'cgroup'), cgroup);
}

proc(1, '0::/init.scope\n');
proc(40, '12:pids:/kubepods/burstable/pod1234/othercontainer\n0::/\n');
// cgroup v2, containerd with the systemd driver
proc(812, `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod77.slice/cri-containerd-${ID}.scope\n`);
// a later process of the same container (a child)
proc(990, `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod77.slice/cri-containerd-${ID}.scope\n`);
// cgroup v1, docker
proc(500, `11:memory:/docker/${'c'.repeat(64)}\n4:pids:/docker/${'c'.repeat(64)}\n`);
mkdirSync(join(root, 'self'));
mkdirSync(join(root, '777')); // a process that vanished: no cgroup file

describe('container lookup', () => {
  it('strips the runtime prefix and refuses what is not an ID', () => {
    expect(bareContainerId(`containerd://${ID}`)).toBe(ID);
    expect(bareContainerId('docker://abcdef0123456789')).toBe('abcdef0123456789');
    expect(bareContainerId('cri-o://0123456789abcdef')).toBe('0123456789abcdef');
    expect(bareContainerId(undefined)).toBeUndefined();
    expect(bareContainerId('containerd://')).toBeUndefined();
    expect(bareContainerId('containerd://../../etc')).toBeUndefined();
  });

  it("finds the container's lowest pid by the ID in its cgroup path (v1 and v2), and nothing for an unknown ID", async () => {
    expect(await containerPid(ID, root)).toBe(812);
    expect(await containerPid('c'.repeat(64), root)).toBe(500);
    expect(await containerPid('d'.repeat(64), root)).toBeUndefined();
  });

  it('names requests and namespaces from the fault id, within Kubernetes and kernel limits', () => {
    expect(requestName('pod-partition-mxcvdz0p-941a8c')).toBe('turbulence-pod-partition-mxcvdz0p-941a8c');
    const long = requestName(`X_${'y'.repeat(80)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(netnsName('pod-loss-1-2')).toBe('tbpod_pod_loss_1_2');
  });
});
