/**
 * @module The one store: where turbulence keeps its durable local state, how it writes it, and who may change it.
 *
 *   ${TURBULENCE_HOME:-~/.turbulence}/
 *     ledger/<id>.json          one file per fault not yet reverted (owner: the injecting process)
 *     managed/<name>.json       one record per supervised process, and its log <name>.log (owner: its supervisor)
 *     labs/<lab>.json           one state per lab (owner: the `lab up` process supervising it)
 *     labs/<lab>/               the lab's logs (logs/<host>/<service>.log), host directories, supervisor.log
 *     sessions/<key>.json       one record per run / fault inject / monkey process, <key>.ndjson its events
 *                               (owner: that process; read by `turbulence ui`)
 *
 * Every file is written whole by `writeFileAtomic` (or its sync twin, `./atomic.ts`): temp file, fsync, rename, fsync of
 * the directory. Lock discipline: no file locks; each file has one owner process, recorded in it with its pid
 * AND start time (a recycled pid is not the owner). Only the owner writes a file while it lives; any process may
 * read it; `turbulence recover` (and `lab down`) act on a file only once its owner is gone.
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

/** Directory of session records (`<key>.json`) and their event logs (`<key>.ndjson`), watched by `turbulence ui`. */
export function sessionsDir(home: string = turbulenceHome()): string {
  return join(home, 'sessions');
}
