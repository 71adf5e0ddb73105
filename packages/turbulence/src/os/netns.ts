/**
 * @module Network namespaces as `ip netns` sees them: which exist, and which processes live in one.
 */
import { stat } from 'node:fs/promises';
import { run } from './exec.js';

/** Names of the network namespaces that exist (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list'], { allowFail: true });
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.length > 0);
}

/** PIDs of the processes whose network namespace is `netns`. */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await run(['ip', 'netns', 'pids', netns], { allowFail: true });
  return stdout
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

/**
 * Gives the network namespace of process `pid` the name `name` (`ip netns attach`), so tools that take a named
 * namespace (`ip netns exec`, the network fault drivers) reach it: a container's namespace, by its init pid.
 * Attaching a name that is already attached to the same pid's namespace is a no-op.
 *
 * @example
 * await attachNetns('tbc-5e0c1f9a2b', 4242);
 */
export async function attachNetns(name: string, pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`attachNetns: ${pid} is not a process to attach`);
  if ((await listNetns()).includes(name)) {
    const [own, named] = await Promise.all([nsInode(`/proc/${pid}/ns/net`), nsInode(`/run/netns/${name}`)]);
    if (own !== undefined && own === named) return;
    await detachNetns(name);
  }
  await run(['ip', 'netns', 'attach', name, String(pid)]);
}

/** Removes the name `attachNetns` gave (the namespace itself lives on while its processes do). Absent: no-op. */
export async function detachNetns(name: string): Promise<void> {
  if (!(await listNetns()).includes(name)) return;
  await run(['ip', 'netns', 'delete', name], { allowFail: true });
}

async function nsInode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}
