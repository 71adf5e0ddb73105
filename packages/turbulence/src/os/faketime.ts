/**
 * @module libfaketime plumbing: the environment that starts a process with a wall clock read from an offset file, which
 * `time.skew` rewrites while the process runs. Only CLOCK_REALTIME moves (`DONT_FAKE_MONOTONIC=1`): runtimes such
 * as Node abort when the monotonic clock goes backwards.
 */
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
];

/** Path of libfaketime, or undefined when it is not installed (Debian: faketime). */
export function libfaketimePath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * Environment variables that start a process under libfaketime, its offset read from `clockFile` on every call
 * (write `+0` into it first; `time.skew` writes e.g. `+3600`).
 *
 * @example
 * writeFileSync('/tmp/app.clock', '+0\n');
 * spawn('node', ['app.js'], { env: { ...process.env, ...faketimeEnv('/tmp/app.clock') } });
 */
export function faketimeEnv(clockFile: string): Record<string, string> {
  const lib = libfaketimePath();
  if (!lib) return {};
  const preload = process.env.LD_PRELOAD ? `${lib}:${process.env.LD_PRELOAD}` : lib;
  return { LD_PRELOAD: preload, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_NO_CACHE: '1', DONT_FAKE_MONOTONIC: '1' };
}
