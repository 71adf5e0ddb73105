/**
 * `HOST:PORT` as users write it on the command line and in experiment files (`127.0.0.1:5353`, `[::1]:53`,
 * `localhost:5353`). A bare host gets the default port.
 */
import { isIPv6 } from 'node:net';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

/** A host and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT`, `[V6]:PORT`, or a bare host (then `defaultPort`).
 *
 * @example
 * parseHostPort('127.0.0.1:5353'); // { host: '127.0.0.1', port: 5353 }
 * parseHostPort('[::1]:53');       // { host: '::1', port: 53 }
 */
export function parseHostPort(input: string | HostPort, defaultPort = 53, what = 'address'): HostPort {
  if (typeof input !== 'string') return checkPort(input, what, String(input.port));
  const text = input.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return checkPort({ host: bracket[1] as string, port: num(bracket[2], defaultPort) }, what, text);
  if (isIPv6(text)) return { host: text, port: defaultPort };
  const m = /^([^:\s]+)(?::(\d+))?$/.exec(text);
  if (!m) throw invalid(what, text);
  return checkPort({ host: m[1] as string, port: num(m[2], defaultPort) }, what, text);
}

/** `127.0.0.1:53`, `[::1]:53`. */
export function formatHostPort({ host, port }: HostPort): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function num(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Number(text);
}

function checkPort(hp: HostPort, what: string, text: string): HostPort {
  if (!Number.isInteger(hp.port) || hp.port < 0 || hp.port > 65535) throw invalid(what, text);
  return hp;
}

function invalid(what: string, text: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.USAGE, `${what} ${JSON.stringify(text)} is not HOST:PORT`, {
    hint: 'write e.g. 127.0.0.1:5353 or [::1]:5353',
  });
}
