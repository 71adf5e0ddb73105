/**
 * Lab lifecycle: `labUp` builds the namespaces and starts the services as managed processes of the one
 * supervisor (in the calling process), `labDown` removes everything the lab created, also after a crash,
 * `labStatus` reports what is alive.
 *
 *   labUp:   write state ─▶ build network ─▶ [chaos DNS, resolv.conf] ─▶ start services (ready?) ─▶ state "ready"
 *   labDown: stop supervisor (pid + start time) ─▶ stop its services (records) ─▶ kill what still runs in the
 *            namespaces ─▶ delete what the lab created ─▶ remove state
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { DnsServer } from '../dns/server.js';
import { isSameProcess, waitFor } from '../os/proc.js';
import { readRecord, removeRecord, selfAsSupervisor } from '../supervisor/record.js';
import { Supervisor, supervisorOf, terminateRecorded } from '../supervisor/supervisor.js';
import { planLabDns, startLabDns, writeResolvConfs } from './dns.js';
import { buildNetwork, planLab, teardownNetwork } from './network.js';
import { superviseServices } from './services.js';
import type { LabSpec } from './spec.js';
import {
  labHostsDir,
  labLogDir,
  listLabs,
  readLabState,
  removeLabState,
  writeLabState,
  type LabDnsState,
  type LabState,
} from './state.js';
import { alive, signal } from '../os/signals.js';
import { listNetns } from '../os/netns.js';

/** A lab that is up, supervised by this process. */
export interface RunningLab {
  readonly state: LabState;
  /** The supervisor running the lab's services (managed processes named `<lab>.<host>.<service>`). */
  readonly supervisor: Supervisor;
  /** The lab's chaos DNS server, when the lab file has `dns:` (add rules here or through its control API). */
  readonly dns: DnsServer | undefined;
  /** Stops the services and removes the lab. */
  down(): Promise<void>;
}

/** Options of {@link labUp}. */
export interface LabUpOptions {
  /** The lab file, recorded in the state for humans. */
  file?: string;
  signal?: AbortSignal;
}

/**
 * Builds a lab and starts its services; resolves when every service with a probe is ready.
 * On any failure everything already created is removed again before the error is thrown.
 *
 * @example
 * const lab = await labUp(loadLabFile('examples/etcd/lab.yaml'));
 * try { ... } finally { await lab.down(); }
 */
export async function labUp(spec: LabSpec, options: LabUpOptions = {}): Promise<RunningLab> {
  const previous = readLabState(spec.name);
  if (previous) {
    throw new TurbulenceError(ErrorCodes.CONFIGURATION, `lab "${spec.name}" is already up (or was not taken down)`, {
      hint: `run \`turbulence lab down ${options.file ?? spec.name}\` first`,
    });
  }
  const state = planLab(spec, labLogDir(spec.name), options.file);
  const dnsPlan = planLabDns(spec, state.hosts);
  if (dnsPlan) state.dns = dnsPlan;
  state.supervisorPid = process.pid;
  state.supervisor = selfAsSupervisor();
  let dns: DnsServer | undefined;
  writeLabState(state);
  const supervisor = new Supervisor();
  const startService = superviseServices(state, supervisor, () => writeLabState(state));
  const down = async (): Promise<void> => {
    state.status = 'stopping';
    writeLabState(state);
    await supervisor.stopAll();
    await dns?.close();
    await teardownNetwork(state);
    rmSync(labHostsDir(state.name), { recursive: true, force: true });
    removeLabState(state.name);
  };
  try {
    await buildNetwork(state);
    if (state.dns) {
      dns = await startLabDns(spec, state);
      writeResolvConfs(state);
    }
    state.status = 'starting';
    writeLabState(state);
    for (const host of spec.hosts) {
      const hostState = state.hosts.find((h) => h.name === host.name);
      if (!hostState) continue;
      for (const service of host.services) await startService(hostState, service, options.signal);
    }
    state.status = 'ready';
    writeLabState(state);
  } catch (err) {
    state.error = errorMessage(err);
    await down();
    if (err instanceof TurbulenceError) throw err;
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `lab "${spec.name}" did not come up: ${errorMessage(err)}`, {
      cause: err,
      hint: `service logs are in ${state.logDir}`,
    });
  }
  return { state, supervisor, dns, down };
}

/** What `labDown` found and removed. */
export interface LabDownResult {
  name: string;
  found: boolean;
  namespaces: string[];
}

/** True when the lab's supervisor still runs: same host, and its pid AND start time match the state. */
export async function labSupervisorAlive(state: LabState): Promise<boolean> {
  const sup = state.supervisor;
  if (!sup) return false; // a state without a start time cannot prove its pid is still the supervisor
  if (sup.pid === process.pid) return true;
  return sup.host === hostname() && isSameProcess(sup.pid, sup.startTime);
}

/** Stops a lab's supervisor process (SIGTERM, then SIGKILL after `graceMs`) when it is still the recorded one. */
async function stopSupervisor(state: LabState, graceMs: number): Promise<void> {
  const sup = state.supervisor;
  if (!sup || sup.pid === process.pid || !(await labSupervisorAlive(state))) return;
  const gone = async () => !(await isSameProcess(sup.pid, sup.startTime));
  signal(sup.pid, 'SIGTERM');
  if (await waitFor(gone, graceMs, 50)) return;
  if (!(await gone())) signal(sup.pid, 'SIGKILL');
  await waitFor(gone, 5000, 50);
}

/** Stops the lab's services through their managed records (pid + start time) and removes the records. */
async function stopServices(state: LabState): Promise<void> {
  for (const host of [...state.hosts].reverse()) {
    for (const service of Object.values(host.services).reverse()) {
      const name = service.managed;
      if (name === undefined) continue;
      const local = supervisorOf(name);
      if (local) {
        await local.stop(name);
        continue;
      }
      const record = await readRecord(name).catch(() => undefined);
      if (record) await terminateRecorded(record);
      await removeRecord(name);
    }
  }
}

/**
 * Removes a lab by name from its state file: stops its supervisor (only when its pid still has the recorded
 * start time) which stops the services gracefully, stops services it left behind, then kills whatever still runs
 * inside the lab's namespaces and deletes what the lab created. Works after a crash. Safe to run twice.
 *
 * @example
 * await labDown('etcd');
 */
export async function labDown(name: string, graceMs = 15_000): Promise<LabDownResult> {
  const state = readLabState(name);
  if (!state) return { name, found: false, namespaces: [] };
  await stopSupervisor(state, graceMs);
  await stopServices(state);
  const namespaces = await teardownNetwork(state);
  rmSync(labHostsDir(name), { recursive: true, force: true });
  removeLabState(name);
  return { name, found: true, namespaces };
}

/** What {@link recoverLabs} did. */
export interface LabRecovery {
  removed: LabDownResult[];
  kept: { name: string; reason: string }[];
}

/**
 * Takes down every lab whose supervisor is gone (crashed or SIGKILLed: its namespaces, bridge, host-access link
 * and service processes survive it). Labs with a live supervisor (pid and start time) are kept.
 *
 * @example
 * const { removed } = await recoverLabs();
 */
export async function recoverLabs(): Promise<LabRecovery> {
  const out: LabRecovery = { removed: [], kept: [] };
  for (const name of listLabs()) {
    let state: LabState | undefined;
    try {
      state = readLabState(name);
    } catch (err) {
      out.kept.push({ name, reason: errorMessage(err) });
      continue;
    }
    if (!state) continue;
    if (state.supervisor && state.supervisor.host !== hostname()) {
      out.kept.push({ name, reason: `supervised on host ${state.supervisor.host}` });
      continue;
    }
    if (await labSupervisorAlive(state)) {
      out.kept.push({ name, reason: `its supervisor (pid ${state.supervisor?.pid}) is running` });
      continue;
    }
    try {
      out.removed.push(await labDown(name));
    } catch (err) {
      out.kept.push({ name, reason: `could not take it down: ${errorMessage(err)}` });
    }
  }
  return out;
}

/** One host in {@link LabStatus}. */
export interface HostStatus {
  name: string;
  netns: string;
  address: string;
  present: boolean;
  services: { name: string; pid?: number; status: string; alive: boolean; restarts: number; log: string }[];
}

/** What `lab status` shows. */
export interface LabStatus {
  name: string;
  status: LabState['status'];
  supervisor: { pid?: number; alive: boolean };
  /** The chaos DNS server; it serves while the supervisor is alive. */
  dns?: LabDnsState & { serving: boolean };
  hosts: HostStatus[];
}

/**
 * The recorded state of a lab checked against the machine (namespaces present, service PIDs alive).
 *
 * @example
 * const s = await labStatus('etcd'); // undefined when the lab is not up
 */
export async function labStatus(name: string): Promise<LabStatus | undefined> {
  const state = readLabState(name);
  if (!state) return undefined;
  const present = new Set(await listNetns());
  const supervisorAlive = await labSupervisorAlive(state);
  return {
    name: state.name,
    status: state.status,
    supervisor: { ...(state.supervisorPid ? { pid: state.supervisorPid } : {}), alive: supervisorAlive },
    ...(state.dns ? { dns: { ...state.dns, serving: supervisorAlive && state.dns.api !== undefined } } : {}),
    hosts: state.hosts.map((h) => ({
      name: h.name,
      netns: h.netns,
      address: h.address,
      present: present.has(h.netns),
      services: Object.entries(h.services).map(([svc, s]) => ({
        name: svc,
        ...(s.pid ? { pid: s.pid } : {}),
        status: s.status,
        alive: isAlive(s.pid),
        restarts: s.restarts,
        log: s.log,
      })),
    })),
  };
}

const isAlive = (pid: number | undefined): boolean => pid !== undefined && alive(pid);

/**
 * The argv that runs a command inside a lab host (`ip netns exec`, so lab host names resolve, and names resolve
 * through the lab's chaos DNS when it has one).
 *
 * @example
 * const argv = labExecArgv('etcd', 'n1', ['etcdctl', 'endpoint', 'health']);
 */
export function labExecArgv(name: string, host: string, argv: readonly string[]): string[] {
  const state = readLabState(name);
  if (!state) {
    throw new TurbulenceError(ErrorCodes.CONFIGURATION, `lab "${name}" is not up`, {
      hint: 'start it with `turbulence lab up LABFILE`',
    });
  }
  const h = state.hosts.find((x) => x.name === host);
  if (!h) {
    throw new TurbulenceError(ErrorCodes.USAGE, `lab "${name}" has no host "${host}"`, {
      hint: `hosts: ${state.hosts.map((x) => x.name).join(', ')}`,
    });
  }
  return ['ip', 'netns', 'exec', h.netns, ...argv];
}
