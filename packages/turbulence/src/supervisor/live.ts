/**
 * The supervisors alive in this process, kept apart from `supervisor.ts` so that the safety guard can ask which
 * pids are supervised without loading the supervisor (and the DNS resolver it uses).
 */

/** What the registry needs of a supervisor. */
export interface LiveSupervisor {
  owns(name: string): boolean;
  list(): readonly { pid: number; spec: { name: string } }[];
}

/** Every supervisor of this process that runs at least one process. */
export const liveSupervisors = new Set<LiveSupervisor>();

/** Pid → name of every process supervised by this turbulence process (drivers may target these). */
export function supervisedPids(): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of liveSupervisors) for (const r of s.list()) out.set(r.pid, r.spec.name);
  return out;
}
