/**
 * @module From a pod's container to a process on this node: the container ID the kubelet reports
 * (`status.containerStatuses[].containerID`, e.g. `containerd://4f1c…`) appears in the cgroup path of every
 * process of that container (`/proc/<pid>/cgroup`), for cgroup v1 and v2, with containerd, CRI-O and Docker alike.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The bare container ID of a `runtime://id` string (prefix stripped), or undefined when there is none. */
export function bareContainerId(containerId: string | undefined): string | undefined {
  if (!containerId) return undefined;
  const id = containerId.replace(/^[a-z0-9-]+:\/\//i, '');
  return /^[A-Za-z0-9_.-]{8,}$/.test(id) ? id : undefined;
}

/**
 * The lowest PID whose cgroup path contains `id` (the container's first process, normally its PID 1), scanning
 * `procRoot` (default `/proc`, which in a hostPID pod shows the node's processes). Undefined when none does.
 *
 * @example
 * await containerPid('4f1c0e2d9a7b'); // 81234
 */
export async function containerPid(id: string, procRoot = '/proc'): Promise<number | undefined> {
  const pids = (await readdir(procRoot))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let text: string;
    try {
      text = await readFile(join(procRoot, String(pid), 'cgroup'), 'utf8');
    } catch {
      continue; // gone meanwhile, or not readable
    }
    if (text.split('\n').some((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1).includes(id)))
      return pid;
  }
  return undefined;
}
