/**
 * @module Telling a service to re-read its configuration: a signal to a pid (or a pidfile's pid), a command run as
 * an argv array (never through a shell), or an HTTP call. Used after a `config.*` fault changes a file and again
 * after the revert puts it back.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage } from '../../core/errors.js';
import { run } from '../../os/exec.js';
import type { reloadSchema } from './schema.js';

/** A reload as the params give it (after the schema applied defaults). */
export type Reload = z.output<typeof reloadSchema>;

const failed = (what: string, why: string, cause?: unknown): TurbulenceError =>
  new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `reload (${what}) failed: ${why}`, {
    hint: 'check the reload param: the pid or pidfile, the command, or the URL',
    ...(cause !== undefined ? { cause } : {}),
  });

async function pidOf(r: Extract<Reload, { signal: string }>): Promise<number> {
  if ('pid' in r) return r.pid;
  const text = await readFile(r.pidfile, 'utf8').catch((err: unknown) => {
    throw failed(`pidfile ${r.pidfile}`, errorMessage(err), err);
  });
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid < 2)
    throw failed(`pidfile ${r.pidfile}`, `${JSON.stringify(text.trim())} is not a pid`);
  return pid;
}

/** One line describing a reload, for messages. */
export function describeReload(r: Reload): string {
  if ('signal' in r) return `${r.signal} to ${'pid' in r ? `pid ${r.pid}` : `the pid in ${r.pidfile}`}`;
  if ('command' in r) return JSON.stringify(r.command);
  return `${r.method} ${r.http}`;
}

/**
 * Runs a reload; throws `FAULT_INJECT_FAILED` saying why when it fails (a dead pid, a non-zero exit, an HTTP
 * status ≥ 400, a timeout).
 *
 * @example
 * await runReload({ signal: 'SIGHUP', pid: 4242 });
 * await runReload({ command: ['nginx', '-s', 'reload'], timeout: 10_000 });
 */
export async function runReload(r: Reload): Promise<void> {
  const what = describeReload(r);
  if ('signal' in r) {
    const pid = await pidOf(r);
    if (pid === process.pid) throw failed(what, 'that is turbulence itself');
    const sig = (r.signal.startsWith('SIG') ? r.signal : `SIG${r.signal}`) as NodeJS.Signals;
    try {
      process.kill(pid, sig);
    } catch (err) {
      throw failed(
        what,
        (err as NodeJS.ErrnoException).code === 'ESRCH' ? `process ${pid} is gone` : errorMessage(err),
        err,
      );
    }
    return;
  }
  if ('command' in r) {
    const res = await run(r.command, { allowFail: true, timeoutMs: r.timeout }).catch((err: unknown) => {
      throw failed(what, errorMessage(err), err);
    });
    if (res.code !== 0) {
      const detail = (res.stderr || res.stdout).trim().split('\n')[0] ?? '';
      throw failed(what, `exit ${res.code}${detail ? `: ${detail}` : ''}`);
    }
    return;
  }
  let status: number;
  try {
    const res = await fetch(r.http, { method: r.method, signal: AbortSignal.timeout(r.timeout) });
    await res.arrayBuffer().catch(() => undefined);
    status = res.status;
  } catch (err) {
    throw failed(what, errorMessage(err), err);
  }
  if (status >= 400) throw failed(what, `HTTP ${status}`);
}
