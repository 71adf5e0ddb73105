/**
 * The durable record of a lab: every namespace and link it owns, written BEFORE the thing is created, so that
 * `lab down` can remove all of it after a crash of turbulence. Lives in
 * `${TURBULENCE_HOME:-~/.turbulence}/labs/<name>.json`.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

/** One service as the supervisor last saw it. */
export interface ServiceState {
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
  status: 'building' | 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  logDir: string;
  createdAt: string;
}

/** `${TURBULENCE_HOME:-~/.turbulence}`. */
export function turbulenceHome(): string {
  return process.env.TURBULENCE_HOME ?? join(homedir(), '.turbulence');
}

/** Path of a lab's state file. */
export function labStatePath(name: string): string {
  return join(turbulenceHome(), 'labs', `${name}.json`);
}

/** Directory of a lab's per-host logs. */
export function labLogDir(name: string): string {
  return join(turbulenceHome(), 'labs', name, 'logs');
}

/** Directory of a lab's host working directories (removed by `down`). */
export function labHostsDir(name: string): string {
  return join(turbulenceHome(), 'labs', name, 'hosts');
}

/** Writes the state atomically and durably (temp file, fsync, rename). */
export function writeLabState(state: LabState): void {
  const path = labStatePath(state.name);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
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
  let names: string[];
  try {
    names = readdirSync(dirname(labStatePath('x')));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
}

/** Removes a lab's state file. */
export function removeLabState(name: string): void {
  rmSync(labStatePath(name), { force: true });
}
