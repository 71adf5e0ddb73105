/**
 * @module Entry point of the detached guardian process (`node dist/faults/guardian/main.js --ledger DIR`).
 * Started by {@link ensureGuardian}; not meant to be run by hand. Exits 0 when another guardian holds the lock
 * or once nothing is left to expire.
 */
import { ledgerDir } from '../../os/home.js';
import { runGuardian } from './guardian.js';

const args = process.argv.slice(2);
const at = args.indexOf('--ledger');
const dir = at >= 0 ? args[at + 1] : undefined;
const num = (name: string): number | undefined => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
};
const safetyMs = num('TURBULENCE_GUARDIAN_SAFETY_MS');
const statsFile = process.env.TURBULENCE_GUARDIAN_STATS;

await runGuardian({
  ledgerDir: dir ?? ledgerDir(),
  ...(safetyMs !== undefined ? { safetyMs } : {}),
  ...(statsFile ? { statsFile } : {}),
});
