/**
 * The durable record of a lab: every namespace and link it will own, written BEFORE the thing is created (and
 * marked in `created` once this lab made it), so that `lab down` and `turbulence recover` remove all of it after
 * a crash of turbulence, and never another lab's objects. Lives in the one store
 * (`${TURBULENCE_HOME:-~/.turbulence}/labs/<name>.json`, see `os/home.ts`), written by the same atomic writer
 * as the ledger and the managed records; its services are managed processes (`managed/<lab>.<host>.<service>.json`).
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { labsDir, turbulenceHome } from '../os/home.js';
import { writeFileAtomicSync } from '../os/atomic.js';

export { turbulenceHome };

/** One service as the supervisor last saw it. */
export interface ServiceState {
  /** Its managed-process name (`<lab>.<host>.<service>`): `process.*` faults reach it as `{ managed }` too. */
  managed?: string;
  pid?: number;
  status: 'starting' | 'ready' | 'running' | 'exited' | 'failed' | 'stopped';
  restarts: number;
  exitCode?: number | null;
  log: string;
  /** libfaketime offset file, for services started with `faketime: true`. */
  clockFile?: string;
}

/** One namespace host of a lab. */
export interface HostState {
  name: string;
  netns: string;
  address: string;
  services: Record<string, ServiceState>;
}

/** The lab's chaos DNS server (run by the supervisor, so it lives and dies with it). */
export interface LabDnsState {
  /** The address every host's resolv.conf names (the gateway); the server listens on its port 53. */
  nameserver: string;
  upstream: string;
  /** Base URL of the control API, once the server is up. */
  api?: string;
  seed?: number;
  /** Hosts whose resolv.conf names the server (`dns: false` hosts are left out). */
  hosts: string[];
}

/** Everything a lab owns. */
export interface LabState {
  name: string;
  file?: string;
  subnet: string;
  /** The namespace holding the bridge. */
  switchNetns: string;
  /** Links created in this machine's own namespace (host access). */
  rootLinks: string[];
  hosts: HostState[];
  /** Chaos DNS, when the lab file has a `dns:` block. */
  dns?: LabDnsState;
  /** PID of the process supervising the services (`lab up`). */
  supervisorPid?: number;
  /** The supervising process with its start time, so that a recycled pid is never taken for it. */
  supervisor?: { pid: number; startTime: string; host: string };
  /**
   * What this lab created (`netns:<name>`, `link:<name>`), each marked just before it is made and unmarked when
   * making it fails; teardown removes only these. Absent in states written before it existed: then everything
   * named is the lab's.
   */
  created?: string[];
  status: 'building' | 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  logDir: string;
  createdAt: string;
}

/** Path of a lab's state file. */
export function labStatePath(name: string): string {
  return join(labsDir(), `${name}.json`);
}

/** Directory of a lab's per-host logs. */
export function labLogDir(name: string): string {
  return join(labsDir(), name, 'logs');
}

/** Directory of a lab's host working directories (removed by `down`). */
export function labHostsDir(name: string): string {
  return join(labsDir(), name, 'hosts');
}

/** Writes the state atomically and durably (the store's writer: temp file, fsync, rename, fsync of the dir). */
export function writeLabState(state: LabState): void {
  const path = labStatePath(state.name);
  try {
    writeFileAtomicSync(path, `${JSON.stringify(state, null, 2)}\n`);
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LEDGER, `cannot write lab state ${path}`, {
      cause: err,
      hint: 'check that TURBULENCE_HOME is writable',
    });
  }
}

/** Reads a lab's state, or undefined when the lab is not up. */
export function readLabState(name: string): LabState | undefined {
  const path = labStatePath(name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as LabState;
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LEDGER, `lab state ${path} is not valid JSON`, {
      cause: err,
      hint: 'inspect the file; `ip netns list | grep tb-` shows what may be left',
    });
  }
}

/** Names of the labs that have a state file (up, starting, or left by a crash), sorted. */
export function listLabs(): string[] {
  try {
    return readdirSync(labsDir())
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Removes a lab's state file. */
export function removeLabState(name: string): void {
  rmSync(labStatePath(name), { force: true });
}
