/** Flags and helpers shared by the proxy client commands. */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import { ProxyClient, ProxyClientError } from '../../../proxy/client.js';
import { parseNumber } from '../../parse.js';

/** Default server URL: `$TOXIPROXY_URL` or http://127.0.0.1:8474 (as toxiproxy-cli). */
export const DEFAULT_URL = process.env.TOXIPROXY_URL ?? 'http://127.0.0.1:8474';

/** Adds `--url` and `--token` to a client command. */
export function withServer(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'proxy server URL (env TOXIPROXY_URL)', DEFAULT_URL)
    .option('--token <token>', 'bearer token (env TURBULENCE_PROXY_TOKEN)', process.env.TURBULENCE_PROXY_TOKEN);
}

/** A client for the command's `--url`. */
export function clientFor(flags: { url: string; token?: string }): ProxyClient {
  return new ProxyClient(flags.url, flags.token ? { token: flags.token } : {});
}

/** Runs a client call, turning API and network errors into CLI errors that say what to do. */
export async function call<T>(url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProxyClientError) {
      // A 400 is bad input (a bad attribute, a toxic on a proxy of another protocol): exit 2, like a usage error.
      throw new TurbulenceError(err.status === 400 ? ErrorCodes.USAGE : ErrorCodes.ACTIVITY_FAILED, err.message);
    }
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `cannot reach the proxy server at ${url}`, {
      hint: 'start one with `turbulence proxy serve`, or point --url / TOXIPROXY_URL at it',
      cause: err,
    });
  }
}

/** Parses repeated `-a key=value` flags; numeric values become JSON numbers (as toxiproxy-cli does). */
export function parseAttributes(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new TurbulenceError(ErrorCodes.USAGE, `attribute ${JSON.stringify(pair)} is not key=value`, {
        hint: 'e.g. -a latency=100 -a jitter=10',
      });
    }
    const value = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

/** Parses `--toxicity`: a number in [0, 1]. */
export function parseToxicity(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseNumber('--toxicity', text, { min: 0, max: 1 });
}

/** Commander reducer for a repeatable option. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
