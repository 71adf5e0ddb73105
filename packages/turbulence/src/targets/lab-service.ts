/**
 * @module Lab services as process targets (type `process`): `{ lab, host?, service? }` names the services of a
 * lab that is up; any other query is a process query (`./process.ts`: `{ pid }`, `{ name }`, `{ cmdline }`,
 * `{ managed }`, ...). Used by the resource faults (`limit.*`, `cgroup.*`) and `time.skew`.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { readLabState } from '../lab/state.js';
import { startTimeOfSync } from '../os/proc.js';
import { alive } from '../os/signals.js';
import { resolveProcesses } from './process.js';

/**
 * Resolves a query to process targets (attributes carry `pid`).
 *
 * @example
 * await resolveProcessTargets({ lab: 'etcd', host: 'n1', service: 'etcd' });
 */
export async function resolveProcessTargets(query: JsonObject | undefined): Promise<Target[]> {
  if (!query || typeof query.lab !== 'string') return resolveProcesses(query);
  const lab = readLabState(query.lab);
  if (!lab) throw refused(`lab "${query.lab}" is not up`, 'start it with `turbulence lab up LABFILE`');
  const hosts = lab.hosts.filter((h) => query.host === undefined || h.name === query.host);
  if (hosts.length === 0)
    throw refused(`lab "${lab.name}" has no host ${JSON.stringify(query.host)}`, 'check the host name');
  const out: Target[] = [];
  for (const h of hosts) {
    for (const [name, s] of Object.entries(h.services)) {
      if (query.service !== undefined && name !== query.service) continue;
      if (s.pid === undefined || !alive(s.pid)) continue;
      const startTime = startTimeOfSync(s.pid);
      out.push({
        id: `pid:${s.pid}`,
        type: 'process',
        name: `${lab.name}/${h.name}/${name} (pid ${s.pid})`,
        attributes: { pid: s.pid, lab: lab.name, host: h.name, service: name, ...(startTime ? { startTime } : {}) },
      });
    }
  }
  if (out.length === 0) throw refused('no running lab service matches the target', 'see `turbulence lab status`');
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

function refused(message: string, hint: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TARGET_REFUSED, message, { hint });
}

/** The PID of a process target. */
export const pidOf = (target: Target): number => Number(target.attributes.pid);
