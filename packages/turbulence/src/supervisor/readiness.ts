/**
 * @module Waiting until a started process is ready: a TCP port accepts connections, an HTTP URL answers with a
 * status below 400, or a command exits 0. With a network namespace, every check runs inside it (the process
 * listens there, not here); values are passed to the checking command as arguments, never pasted into a shell.
 */
import { connect } from 'node:net';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { run } from '../os/exec.js';
import type { Readiness } from './record.js';

/** Where and how often a readiness check runs. */
export interface ReadinessOptions {
  /** Network namespace of the process; checks run inside it. */
  netns?: string | undefined;
  /** Between checks (default 50 ms). */
  intervalMs?: number;
  /** Stops waiting (with an `INTERRUPTED` error) when aborted. */
  signal?: AbortSignal | undefined;
  /** Where the process logs, for the error's hint. */
  log?: string;
}

/** The fixed script of a TCP check inside a namespace: host and port arrive as `$1` and `$2`. */
const TCP_SCRIPT = 'exec 3<>"/dev/tcp/$1/$2"';

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status < 400;
  } catch {
    return false;
  }
}

/** The argv of a check that runs as a command (every check inside a namespace, and `exec` everywhere). */
export function readinessArgv(readiness: Readiness): string[] {
  if ('tcp' in readiness) {
    const { host, port } = readiness.tcp;
    return ['timeout', '2', 'bash', '-c', TCP_SCRIPT, 'turbulence-ready', host, String(port)];
  }
  if ('http' in readiness) return ['curl', '-fsS', '-m', '2', '-o', '/dev/null', readiness.http];
  return typeof readiness.exec === 'string' ? ['/bin/sh', '-c', readiness.exec] : [...readiness.exec];
}

/**
 * One readiness check.
 *
 * @example
 * await isReady({ tcp: { host: '10.77.0.11', port: 2379 } }, 'tb-etcd.n1');
 */
export async function isReady(readiness: Readiness, netns?: string): Promise<boolean> {
  if (netns === undefined && 'tcp' in readiness) return tcpOpen(readiness.tcp.host, readiness.tcp.port);
  if (netns === undefined && 'http' in readiness) return httpOk(readiness.http);
  const { code } = await run(readinessArgv(readiness), { netns, allowFail: true, timeoutMs: 5000 });
  return code === 0;
}

/** Human form of a readiness check. */
export function describeReadiness(readiness: Readiness): string {
  if ('tcp' in readiness) return `tcp ${readiness.tcp.host}:${readiness.tcp.port}`;
  if ('http' in readiness) return `GET ${readiness.http}`;
  return `exec ${typeof readiness.exec === 'string' ? readiness.exec : readiness.exec.join(' ')}`;
}

/**
 * Polls a readiness check until it passes, `alive()` turns false, or `timeoutMs` elapses.
 *
 * @example
 * await waitReady({ tcp: { host: '127.0.0.1', port: 8080 } }, 5000, () => true, 'web');
 */
export async function waitReady(
  readiness: Readiness,
  timeoutMs: number,
  alive: () => boolean,
  name: string,
  options: ReadinessOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const log = options.log ?? `managed/${name}.log under TURBULENCE_HOME`;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) {
      throw new TurbulenceError(ErrorCodes.INTERRUPTED, `stopped waiting for ${name} to be ready`);
    }
    if (!alive()) {
      throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `${name} exited before it was ready`, {
        hint: `see its log (${log})`,
      });
    }
    if (await isReady(readiness, options.netns)) return;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
  throw new TurbulenceError(
    ErrorCodes.TIMEOUT,
    `${name} was not ready (${describeReadiness(readiness)}) in ${timeoutMs} ms`,
    {
      hint: `check the command and its log (${log}), or raise the readiness timeout`,
    },
  );
}
