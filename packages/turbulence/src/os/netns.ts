/**
 * @module Network namespaces as `ip netns` sees them: which exist, and which processes live in one.
 */
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
