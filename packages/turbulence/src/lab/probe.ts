/**
 * Readiness probes run from inside a lab host's namespace: a TCP connect, an HTTP GET, or a command.
 */
import type { ReadySpec } from './spec.js';
import { run } from '../os/exec.js';
import { sleep } from '../os/signals.js';

/** The argv that checks readiness once inside the host (exit 0 = ready). */
export function probeArgv(ready: ReadySpec, hostAddress: string): string[] {
  if (ready.tcp !== undefined) {
    const target = typeof ready.tcp === 'number' ? `${hostAddress}:${ready.tcp}` : ready.tcp;
    const [addr, port] = splitHostPort(target, hostAddress);
    return ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}`];
  }
  if (ready.http !== undefined) return ['curl', '-fsS', '-m', '2', '-o', '/dev/null', ready.http];
  return ['/bin/sh', '-c', ready.exec ?? 'false'];
}

function splitHostPort(text: string, fallbackHost: string): [string, string] {
  const i = text.lastIndexOf(':');
  if (i < 0) return [fallbackHost, text];
  return [text.slice(0, i) || fallbackHost, text.slice(i + 1)];
}

/**
 * Polls a probe inside `netns` until it passes, `ready.timeout` elapses, or `stillRunning()` turns false.
 * Resolves to true when ready.
 */
export async function waitReady(
  netns: string,
  hostAddress: string,
  ready: ReadySpec,
  stillRunning: () => boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const argv = probeArgv(ready, hostAddress);
  const deadline = Date.now() + ready.timeout;
  while (Date.now() < deadline && stillRunning() && !signal?.aborted) {
    const { code } = await run(argv, { netns, allowFail: true, timeoutMs: 5000 });
    if (code === 0) return true;
    await sleep(ready.interval);
  }
  return false;
}
