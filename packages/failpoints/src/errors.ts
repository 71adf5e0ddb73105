/**
 * @module Errors of the failpoints package: a configuration error (bad spec, bad rule, bad address) and the
 * errno-style errors that `error(...)` terms and rules throw, shaped like Node's own system errors.
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** A failpoint spec, rule or endpoint setting is invalid. `where` names the env var, file or failpoint. */
export class FailpointConfigError extends Error {
  readonly code = 'ERR_FAILPOINT_CONFIG';
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'FailpointConfigError';
  }
}

/** Extra fields of an injected system error, as Node sets them. */
export interface ErrnoDetails {
  syscall?: string;
  path?: string;
  dest?: string;
  hostname?: string;
  address?: string;
  port?: number;
}

/** An injected error: what `error(CODE, message)` throws and what rules reject with. */
export interface InjectedError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  hostname?: string;
  /** Name of the failpoint or rule that injected it. */
  injectedBy: string;
}

/** getaddrinfo errors are not in `os.constants.errno`; Node reports them with libuv's numbers. */
const EXTRA_ERRNO: Record<string, number> = { ENOTFOUND: -3008, EAI_AGAIN: -3001, EAI_FAIL: -3002 };

/** Node's negative errno for a code name (`EIO` → -5), or undefined for a code that is not a system error. */
export function errnoOf(code: string): number | undefined {
  const n = (constants.errno as Record<string, number | undefined>)[code];
  return n === undefined ? EXTRA_ERRNO[code] : -n;
}

/** Node's message format for the family of the failed call. */
function messageFor(code: string, errno: number | undefined, d: ErrnoDetails): string {
  if (code === 'ENOTFOUND' || code.startsWith('EAI_'))
    return `${d.syscall ?? 'getaddrinfo'} ${code}${d.hostname ? ` ${d.hostname}` : ''}`;
  if (d.address !== undefined)
    return `${d.syscall ?? 'connect'} ${code} ${d.address}${d.port === undefined ? '' : `:${d.port}`}`;
  if (d.syscall?.startsWith('spawn')) return `${d.syscall} ${code}`;
  const entry = errno === undefined ? undefined : getSystemErrorMap().get(errno);
  let text = entry ? `${code}: ${entry[1]}` : code;
  if (d.syscall) text += `, ${d.syscall}`;
  if (d.path !== undefined) text += ` '${d.path}'`;
  if (d.dest !== undefined) text += ` -> '${d.dest}'`;
  return text;
}

/**
 * Builds an error shaped like the one Node raises for a failed system call: `code`, `errno`, `syscall`, `path`,
 * and a message in Node's format (`EIO: i/o error, open '/data/x'`). An unknown code still gets `code`.
 *
 * @example
 * throw errnoError('ENOSPC', 'injected-by-test', { syscall: 'write', path: '/tmp/x' });
 */
export function errnoError(
  code: string,
  injectedBy: string,
  details: ErrnoDetails = {},
  message?: string,
): InjectedError {
  const errno = errnoOf(code);
  const text = message ?? messageFor(code, errno, details);
  const err = new Error(text) as InjectedError;
  err.code = code;
  if (errno !== undefined) err.errno = errno;
  for (const [k, v] of Object.entries(details)) if (v !== undefined) (err as unknown as Record<string, unknown>)[k] = v;
  err.injectedBy = injectedBy;
  return err;
}
