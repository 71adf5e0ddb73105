/**
 * Ours: the `tcp` provider. Connects to `host:port` and reports how long the handshake took.
 *
 *   { "type": "tcp", "host": "127.0.0.1", "port": 8080, "timeout": 2 }
 *   → { "connected": true, "latency_ms": 0.42 }
 *
 * Refusal, an unknown host or a timeout fail the activity with the reason.
 */
import { connect } from 'node:net';
import { errorMessage } from '../core/errors.js';
import type { TcpProvider } from '../experiment/types.js';
import { tcpSchema } from './schemas.js';
import { activityFailed, type ProviderDefinition } from './types.js';

/** Output of the `tcp` provider. */
export interface TcpOutput {
  connected: true;
  latency_ms: number;
}

const DEFAULT_TIMEOUT_S = 5;

/**
 * Opens a TCP connection and closes it at once.
 *
 * @example
 * await tcpConnect('127.0.0.1', 5432, 2000, AbortSignal.timeout(10_000)); // { connected: true, latency_ms: 0.3 }
 */
export function tcpConnect(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<TcpOutput> {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(activityFailed(`tcp connect to ${where} was aborted`));
    const started = performance.now();
    const socket = connect({ host, port });
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve({ connected: true, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 });
    };
    const onAbort = (): void => finish(activityFailed(`tcp connect to ${where} was aborted`));
    const timer = setTimeout(
      () => finish(activityFailed(`tcp connect to ${where} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish());
    socket.once('error', (err) => finish(activityFailed(`tcp connect to ${where} failed: ${errorMessage(err)}`, err)));
  });
}

function parsePort(port: number | string): number {
  const n = typeof port === 'number' ? port : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw activityFailed(`tcp port ${JSON.stringify(port)} is not a port number (1-65535)`);
  }
  return n;
}

/** The `tcp` provider definition. */
export const tcpProvider: ProviderDefinition<TcpProvider> = {
  type: 'tcp',
  schema: tcpSchema,
  substitute: ['host', 'port', 'timeout'],
  run: async (p, ctx) => tcpConnect(p.host, parsePort(p.port), (p.timeout ?? DEFAULT_TIMEOUT_S) * 1000, ctx.signal),
  describe: (p) => `tcp connect ${p.host}:${p.port}`,
};
