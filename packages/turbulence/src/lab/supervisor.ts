/**
 * Starts a lab's services inside their hosts (`ip netns exec`), waits for readiness, restarts them by policy and
 * stops them in order. Each service writes to its own log file `<logDir>/<host>/<service>.log`, opened by the
 * service itself so the log goes on even if the supervisor dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { faketimeEnv } from '../os/faketime.js';
import { join } from 'node:path';
import type { ServiceSpec } from './spec.js';
import type { HostState, ServiceState } from './state.js';
import { waitReady } from './probe.js';
import { alive, signal, waitExit } from '../os/signals.js';

/** What the supervisor reports: `change` after any service state change. */
export interface SupervisorEvents {
  change: [];
  exit: [host: string, service: string, code: number | null];
}

interface Running {
  host: HostState;
  spec: ServiceSpec;
  state: ServiceState;
  child?: ChildProcess;
}

/**
 * Supervises the services of a lab.
 *
 * @example
 * const sup = new Supervisor(logDir);
 * await sup.start(host, serviceSpec);
 * await sup.stopAll();
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly running: Running[] = [];
  private stopping = false;

  /**
   * @param logDir where `<host>/<service>.log` files go
   * @param hostsDir where each host's working directory `<host>/` is made
   */
  constructor(
    private readonly logDir: string,
    private readonly hostsDir: string,
  ) {
    super();
  }

  private hostDir(host: string): string {
    const dir = join(this.hostsDir, host);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Starts a service and resolves when it is ready (or at once when it has no probe). Throws when it is not. */
  async start(host: HostState, spec: ServiceSpec, signal?: AbortSignal): Promise<void> {
    const dir = join(this.logDir, host.name);
    mkdirSync(dir, { recursive: true });
    const state: ServiceState = { status: 'starting', restarts: 0, log: join(dir, `${spec.name}.log`) };
    host.services[spec.name] = state;
    const entry: Running = { host, spec, state };
    this.running.push(entry);
    this.spawn(entry);
    if (!spec.ready) {
      state.status = 'running';
      this.emit('change');
      return;
    }
    const ok = await waitReady(host.netns, host.address, spec.ready, () => !this.stopping, signal);
    if (!ok) {
      const why =
        state.status === 'exited' || state.status === 'failed' ? `exited (code ${state.exitCode})` : 'timed out';
      throw new Error(`service ${host.name}/${spec.name} did not become ready: ${why}; see ${state.log}`);
    }
    if (state.status === 'starting') state.status = 'ready';
    this.emit('change');
  }

  private spawn(entry: Running): void {
    const { host, spec, state } = entry;
    const argv = typeof spec.command === 'string' ? ['/bin/sh', '-c', spec.command] : spec.command;
    const clock = spec.faketime ? this.clockEnv(entry) : {};
    const fd = openSync(state.log, 'a');
    const child = spawn('ip', ['netns', 'exec', host.netns, ...argv], {
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        ...spec.env,
        ...clock,
        TURBULENCE_LAB_HOST: host.name,
        TURBULENCE_LAB_ADDRESS: host.address,
      },
      cwd: spec.cwd ?? this.hostDir(host.name),
      detached: true,
    });
    closeSync(fd);
    entry.child = child;
    if (child.pid !== undefined) state.pid = child.pid;
    child.on('error', () => undefined);
    child.on('exit', (code, sig) => this.onExit(entry, code ?? (sig ? 128 : 1)));
    this.emit('change');
  }

  /** libfaketime environment with a clock file at offset +0 (kept across restarts, so a skew survives them). */
  private clockEnv(entry: Running): Record<string, string> {
    const file = join(this.hostDir(entry.host.name), `.faketime-${entry.spec.name}`);
    if (!entry.state.clockFile) writeFileSync(file, '+0\n');
    entry.state.clockFile = file;
    return faketimeEnv(file);
  }

  private onExit(entry: Running, code: number): void {
    const { spec, state } = entry;
    delete entry.child;
    state.exitCode = code;
    if (this.stopping) {
      state.status = 'stopped';
      this.emit('change');
      return;
    }
    state.status = code === 0 ? 'exited' : 'failed';
    this.emit('exit', entry.host.name, spec.name, code);
    const again = spec.restart === 'always' || (spec.restart === 'on-failure' && code !== 0);
    if (again) {
      state.restarts++;
      const backoff = spec.restartDelay * 2 ** Math.min(state.restarts - 1, 2);
      setTimeout(() => {
        if (this.stopping) return;
        state.status = 'running';
        this.spawn(entry);
      }, backoff).unref();
    }
    this.emit('change');
  }

  /** Stops every service, last started first: SIGTERM to its process group, SIGKILL after its stopTimeout. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const entry of [...this.running].reverse()) {
      const pid = entry.child?.pid;
      if (pid === undefined || !alive(pid)) continue;
      signal(-pid, 'SIGTERM');
      const left = await waitExit([pid], entry.spec.stopTimeout);
      if (left.length > 0) {
        signal(-pid, 'SIGKILL');
        await waitExit([pid], 2000);
      }
    }
  }
}
