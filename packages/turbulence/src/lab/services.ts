/**
 * @module A lab's services as managed processes of the one supervisor: each service becomes a process spec with
 * `netns` (its host's namespace), its readiness check (run inside that namespace) and the one restart policy,
 * named `<lab>.<host>.<service>`; supervisor events keep the lab state's view of the service current.
 *
 *   ServiceSpec (lab file) ──toProcessSpec──▶ ManagedSpecInput ──Supervisor.start──▶ managed/<lab>.<host>.<svc>.json
 *   Supervisor events (spawned, started, exited, gave-up) ──▶ LabState.hosts[].services[] ──▶ labs/<lab>.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { faketimeEnv } from '../os/faketime.js';
import type { ManagedSpecInput, Readiness } from '../supervisor/record.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { serviceProcessName } from './names.js';
import type { ReadySpec, ServiceSpec } from './spec.js';
import { labHostsDir, type HostState, type LabState, type ServiceState } from './state.js';

/** A lab `ready:` block as the supervisor's readiness check (`tcp: PORT` is a port on the host's own address). */
export function toReadiness(ready: ReadySpec, hostAddress: string): Readiness {
  if (ready.tcp !== undefined) {
    if (typeof ready.tcp === 'number') return { tcp: { host: hostAddress, port: ready.tcp } };
    const i = ready.tcp.lastIndexOf(':');
    const host = i < 0 ? '' : ready.tcp.slice(0, i).replace(/^\[|\]$/g, '');
    return { tcp: { host: host || hostAddress, port: Number(ready.tcp.slice(i + 1)) } };
  }
  if (ready.http !== undefined) return { http: ready.http };
  return { exec: ready.exec ?? 'false' };
}

/** The working directory of a lab host (`<lab dir>/hosts/<host>`), made on demand. */
function hostDir(lab: string, host: string): string {
  const dir = join(labHostsDir(lab), host);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The process spec of a lab service. A string command is the user's own shell command, run by `/bin/sh -c` as
 * written; nothing turbulence computes is ever pasted into it.
 */
export function toProcessSpec(lab: LabState, host: HostState, spec: ServiceSpec): ManagedSpecInput {
  const [command, ...args] = (typeof spec.command === 'string' ? ['/bin/sh', '-c', spec.command] : spec.command) as [
    string,
    ...string[],
  ];
  const state = host.services[spec.name];
  const clock = state?.clockFile ? faketimeEnv(state.clockFile) : {};
  return {
    name: serviceProcessName(lab.name, host.name, spec.name),
    command,
    args,
    env: { ...spec.env, ...clock, TURBULENCE_LAB_HOST: host.name, TURBULENCE_LAB_ADDRESS: host.address },
    cwd: spec.cwd ?? hostDir(lab.name, host.name),
    netns: host.netns,
    ...(spec.ready
      ? {
          readiness: toReadiness(spec.ready, host.address),
          readyTimeoutMs: spec.ready.timeout,
          readyIntervalMs: spec.ready.interval,
        }
      : {}),
    restart: spec.restart,
    restartDelayMs: spec.restartDelay,
    stopTimeoutMs: spec.stopTimeout,
    log: state?.log ?? join(lab.logDir, host.name, `${spec.name}.log`),
  };
}

/**
 * Keeps the lab state current from the supervisor's events; `save` writes it (called after every change).
 * Returns the function that starts one service and waits until it is ready.
 */
export function superviseServices(
  lab: LabState,
  supervisor: Supervisor,
  save: () => void,
): (host: HostState, spec: ServiceSpec, signal?: AbortSignal) => Promise<void> {
  const byName = new Map<string, { state: ServiceState; ready: boolean }>();
  supervisor.on('spawned', (r) => {
    const s = byName.get(r.spec.name);
    if (!s) return;
    Object.assign(s.state, { pid: r.pid, restarts: r.restarts, status: s.ready ? 'starting' : 'running' });
    delete s.state.exitCode;
    save();
  });
  supervisor.on('started', (r) => {
    const s = byName.get(r.spec.name);
    if (!s) return;
    s.state.status = s.ready ? 'ready' : 'running';
    save();
  });
  supervisor.on('exited', ({ name, code, signal }) => {
    const s = byName.get(name);
    if (!s) return;
    s.state.exitCode = code ?? (signal ? 128 : 1);
    s.state.status = lab.status === 'stopping' ? 'stopped' : code === 0 ? 'exited' : 'failed';
    save();
  });
  supervisor.on('gave-up', ({ name }) => {
    const s = byName.get(name);
    if (!s) return;
    s.state.status = 'failed';
    save();
  });
  return async (host, spec, signal) => {
    const log = join(lab.logDir, host.name, `${spec.name}.log`);
    const managed = serviceProcessName(lab.name, host.name, spec.name);
    const state: ServiceState = { managed, status: 'starting', restarts: 0, log };
    if (spec.faketime) {
      // Kept across restarts, so a skew survives them.
      state.clockFile = join(hostDir(lab.name, host.name), `.faketime-${spec.name}`);
      writeFileSync(state.clockFile, '+0\n');
    }
    host.services[spec.name] = state;
    byName.set(managed, { state, ready: spec.ready !== undefined });
    save();
    try {
      await supervisor.start(toProcessSpec(lab, host, spec), signal ? { signal } : {});
    } catch (err) {
      throw new TurbulenceError(
        ErrorCodes.UNAVAILABLE,
        `service ${host.name}/${spec.name} did not become ready: ${errorMessage(err)}`,
        { hint: `see ${log}`, cause: err },
      );
    }
  };
}
