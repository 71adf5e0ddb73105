/**
 * @module Starting the guardian: called by the fault manager right after it records a fault with a duration.
 * Cheap when a guardian already runs (one lock-file read); otherwise spawns `node <dist>/faults/guardian/main.js`
 * detached, stdio ignored, unref'd, so it outlives its parent and never keeps it alive.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { guardianLockFile } from './guardian.js';
import { lockHeld } from './lock.js';

/** The argv (after `node`) that runs the guardian: the compiled module, or the TypeScript source under tsx. */
export function guardianArgv(ledgerDir: string): string[] {
  const js = fileURLToPath(new URL('./main.js', import.meta.url));
  if (existsSync(js)) return [js, '--ledger', ledgerDir];
  const ts = fileURLToPath(new URL('./main.ts', import.meta.url));
  return ['--import', 'tsx', ts, '--ledger', ledgerDir];
}

/** True unless `TURBULENCE_GUARDIAN` is `0`/`off`/`false` (tests of the manager that must not spawn one). */
export function guardianEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(0|off|false|no)$/i.test(env.TURBULENCE_GUARDIAN ?? '');
}

/**
 * Makes sure a guardian watches `ledgerDir`; returns the pid of the one it started, or undefined when one runs
 * already (or guardians are disabled).
 *
 * @example
 * await ensureGuardian(ledger.dir);
 */
export async function ensureGuardian(ledgerDir: string): Promise<number | undefined> {
  if (!guardianEnabled()) return undefined;
  if (await lockHeld(guardianLockFile(ledgerDir))) return undefined;
  const child = spawn(process.execPath, guardianArgv(ledgerDir), {
    detached: true,
    stdio: 'ignore',
    env: process.env,
  });
  child.on('error', () => undefined);
  child.unref();
  return child.pid;
}
