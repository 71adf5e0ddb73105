/**
 * One python3 worker per run, as Chaos Toolkit runs every Python activity and control in its own single process:
 * modules are imported once and keep their state between calls, and a call costs a message, not a new
 * interpreter (0.3-2 s each before). The worker is started on the first Python call, restarted if it dies, and
 * stopped at the end of the run ({@link stopPythonWorker}).
 *
 *   runner ──{id, op, ...}\n on fd 3──▶ python3 -c SHIM (a thread per request) ──▶ func(**arguments)
 *          ◀──{id, ok, output|error}\n on fd 4───┘
 *
 * The child is detached in its own process group and unreferenced, so an idle worker never keeps Node alive;
 * when Node exits, fd 3 closes and the worker ends. An aborted call kills the worker's group (the next call
 * starts a new one), as the process-per-call design killed its one process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { errorMessage } from '../../core/errors.js';
import { signalGroup } from '../../os/signals.js';
import { PYTHON_SHIM } from './shim.js';

/** What the shim answers. */
export interface ShimAnswer {
  ok: boolean;
  output?: unknown;
  called?: boolean;
  stage?: 'import' | 'func' | 'bind' | 'call' | 'shim' | 'interrupt';
  error?: string;
}

/** python3 could not be started at all. */
export class PythonUnavailable extends Error {}

/** The worker died (or was killed) while a request was in flight. */
export class PythonWorkerDied extends Error {}

/** The run aborted the request (its worker was killed). */
export class PythonCallAborted extends Error {}

/** The interpreter to run; `TURBULENCE_PYTHON` overrides it. */
export function pythonExecutable(): string {
  return process.env.TURBULENCE_PYTHON ?? 'python3';
}

interface Pending {
  resolve: (a: ShimAnswer) => void;
  reject: (e: Error) => void;
}

class Worker {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private dead: Error | undefined;
  private readonly requests: Writable;

  constructor(readonly executable: string) {
    this.child = spawn(executable, ['-c', PYTHON_SHIM], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.requests = this.child.stdio[3] as Writable;
    const answers = this.child.stdio[4] as Readable;
    const stderr = this.child.stderr as Readable;
    this.requests.on('error', () => undefined); // a dead worker is reported by 'exit'
    stderr.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-2000);
    });
    createInterface({ input: answers }).on('line', (line) => this.answer(line));
    this.child.once('error', (e) =>
      this.die(new PythonUnavailable(`${executable} could not be started: ${errorMessage(e)}`)),
    );
    this.child.once('exit', (code, signal) => {
      const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.die(
        new PythonWorkerDied(
          `the python worker (${executable}) exited with ${signal ?? `status ${code}`}${tail ? `: ${tail}` : ''}`,
        ),
      );
    });
    this.unref();
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  private unref(): void {
    this.child.unref();
    for (const s of [this.child.stderr, this.child.stdio[3], this.child.stdio[4]]) {
      (s as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  private ref(): void {
    this.child.ref();
    for (const s of [this.child.stderr, this.child.stdio[3], this.child.stdio[4]]) {
      (s as unknown as { ref?: () => void } | null)?.ref?.();
    }
  }

  private answer(line: string): void {
    let parsed: ShimAnswer & { id?: number };
    try {
      parsed = JSON.parse(line) as ShimAnswer & { id?: number };
    } catch {
      return;
    }
    const p = parsed.id === undefined ? undefined : this.pending.get(parsed.id);
    if (!p) return;
    this.pending.delete(parsed.id!);
    if (this.pending.size === 0) this.unref();
    delete parsed.id;
    p.resolve(parsed);
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request(body: Record<string, unknown>, signal?: AbortSignal): Promise<ShimAnswer> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<ShimAnswer>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        reject(new PythonCallAborted('python activity was aborted'));
        this.kill();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (a) => {
          done();
          resolve(a);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.ref(); // an in-flight call keeps Node alive until it is answered
      this.requests.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  kill(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) signalGroup(this.child.pid, 'SIGKILL');
    this.die(new PythonWorkerDied('the python worker was stopped'));
  }

  /** Ends the worker: closes its request pipe (it exits at EOF), then kills its group. */
  stop(): void {
    this.requests.end();
    this.kill();
  }
}

let current: Worker | undefined;

/** The live worker, started (or restarted after a death) on demand. */
function worker(): Worker {
  const executable = pythonExecutable();
  if (!current || !current.alive || current.executable !== executable) {
    current?.stop();
    current = new Worker(executable);
  }
  return current;
}

/**
 * Sends one request to the run's python3 worker and waits for its answer.
 *
 * @example
 * await pythonRequest({ op: 'call', module: 'os.path', func: 'exists', arguments: { path: '/' } }); // { ok: true, output: true }
 */
export function pythonRequest(body: Record<string, unknown>, signal?: AbortSignal): Promise<ShimAnswer> {
  return worker().request(body, signal);
}

/** PID of the live worker, if any (tests and the bench). */
export function pythonWorkerPid(): number | undefined {
  return current?.alive ? current.child.pid : undefined;
}

/** Stops the worker: the next run starts a fresh one, with fresh module state. Safe to call twice. */
export function stopPythonWorker(): void {
  current?.stop();
  current = undefined;
}

let holders = 0;

/**
 * Marks a run as using the worker; the returned release stops it when the last run that holds it ends, so each
 * run (one at a time, as the CLI does) gets fresh module state and no worker outlives the runs.
 *
 * @example
 * const release = holdPythonWorker();
 * try { await runTheExperiment(); } finally { release(); }
 */
export function holdPythonWorker(): () => void {
  holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders--;
    if (holders === 0) stopPythonWorker();
  };
}
