/**
 * @module Waiting until a started process is ready: a TCP port accepts connections, or an HTTP URL answers
 * with a status below 400.
 */
import { connect } from 'node:net';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Readiness } from './record.js';

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

/** One readiness check. */
export function isReady(readiness: Readiness): Promise<boolean> {
  return 'tcp' in readiness ? tcpOpen(readiness.tcp.host, readiness.tcp.port) : httpOk(readiness.http);
}

/** Human form of a readiness check. */
export function describeReadiness(readiness: Readiness): string {
  return 'tcp' in readiness ? `tcp ${readiness.tcp.host}:${readiness.tcp.port}` : `GET ${readiness.http}`;
}

/**
 * Polls a readiness check every 50 ms until it passes, `alive()` turns false, or `timeoutMs` elapses.
 *
 * @example
 * await waitReady({ tcp: { host: '127.0.0.1', port: 8080 } }, 5000, () => true, 'web');
 */
export async function waitReady(
  readiness: Readiness,
  timeoutMs: number,
  alive: () => boolean,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) {
      throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `${name} exited before it was ready`, {
        hint: `see its log (managed/${name}.log under TURBULENCE_HOME)`,
      });
    }
    if (await isReady(readiness)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new TurbulenceError(
    ErrorCodes.TIMEOUT,
    `${name} was not ready (${describeReadiness(readiness)}) in ${timeoutMs} ms`,
    {
      hint: 'check the command and its log, or raise readyTimeoutMs',
    },
  );
}
