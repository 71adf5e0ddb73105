/**
 * @module Where turbulence keeps its durable local state: `${TURBULENCE_HOME:-~/.turbulence}` holds the
 * ledger (`ledger/<id>.json`, one file per fault not yet reverted), the records of supervised processes
 * (`managed/<name>.json`) and labs (`labs/<name>.json`, `labs/<name>/`). Write its files with `./atomic.js`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The state directory: `$TURBULENCE_HOME`, or `~/.turbulence`.
 *
 * @example
 * turbulenceHome({ TURBULENCE_HOME: '/tmp/t' }); // '/tmp/t'
 */
export function turbulenceHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.TURBULENCE_HOME;
  return home && home.length > 0 ? home : join(homedir(), '.turbulence');
}

/** Directory of the ledger: one JSON file per fault in effect. */
export function ledgerDir(home: string = turbulenceHome()): string {
  return join(home, 'ledger');
}

/** Directory of supervised-process records (`<name>.json`) and their logs (`<name>.log`). */
export function managedDir(home: string = turbulenceHome()): string {
  return join(home, 'managed');
}

/** Directory of lab state files (`<name>.json`) and per-lab directories (`<name>/logs`, `<name>/hosts`). */
export function labsDir(home: string = turbulenceHome()): string {
  return join(home, 'labs');
}
