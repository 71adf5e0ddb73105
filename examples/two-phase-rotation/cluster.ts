/**
 * Starts and supervises the instances of the certificate service: one process each, restarted (without
 * failpoints) when it crashes, the way a process manager would.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INSTANCE = fileURLToPath(new URL('./instance.mjs', import.meta.url));

/** How to run the cluster. */
export interface ClusterOptions {
  names: readonly string[];
  /** A fresh directory; each instance gets `<dir>/<name>/`. */
  dir: string;
  /** The fix for the deliberate bug. */
  safePrepare: boolean;
  /** The CA every instance starts with. */
  initialCa: string;
  /** `TURBULENCE_FAILPOINTS` per instance, for its first start only. */
  failpoints?: Record<string, string>;
  seed?: number;
  /** Restarts allowed per instance. Default 3. */
  maxRestarts?: number;
}

/** What an instance holds on disk. */
export interface InstanceState {
  ca: string | null;
  prepared: string | null;
}

const readOrNull = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Three (or more) supervised instances. */
export class Cluster {
  /** Exits with a non-zero code (101 is a failpoint panic). */
  crashes = 0;
  /** Failpoints that fired a panic, as `instance:failpoint`, in the order the instances reported them on stderr. */
  readonly fired: string[] = [];
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarts = new Map<string, number>();
  private stopping = false;

  constructor(private readonly options: ClusterOptions) {
    for (const name of options.names) {
      mkdirSync(this.dirOf(name), { recursive: true });
      writeFileSync(join(this.dirOf(name), 'ca.pem'), options.initialCa);
    }
  }

  dirOf(name: string): string {
    return join(this.options.dir, name);
  }

  /** Base URL of an instance, or undefined while it is down. */
  url(name: string): string | undefined {
    const port = readOrNull(join(this.dirOf(name), 'port'));
    return port ? `http://127.0.0.1:${port}` : undefined;
  }

  /** The files of an instance (read after `stop` for the invariant). */
  state(name: string): InstanceState {
    return {
      ca: readOrNull(join(this.dirOf(name), 'ca.pem')),
      prepared: readOrNull(join(this.dirOf(name), 'ca.pem.prepared')),
    };
  }

  /** Starts every instance and waits until each listens. */
  async start(timeoutMs = 10_000): Promise<void> {
    for (const name of this.options.names) this.spawn(name, this.options.failpoints?.[name]);
    const deadline = Date.now() + timeoutMs;
    while (!this.options.names.every((n) => this.url(n))) {
      if (Date.now() > deadline) throw new Error('instances did not start in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kills every instance (by its own handle) and waits for the exits. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map((child) => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        return exited;
      }),
    );
  }

  private spawn(name: string, failpoints: string | undefined): void {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STATE_DIR: this.dirOf(name),
      SAFE_PREPARE: this.options.safePrepare ? '1' : '',
    };
    delete env.TURBULENCE_FAILPOINTS_ADDR;
    env.TURBULENCE_FAILPOINTS = failpoints ?? '';
    if (this.options.seed !== undefined) env.TURBULENCE_SEED = String(this.options.seed);
    const child = spawn(process.execPath, [INSTANCE], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    // A panicking failpoint says so on stderr before the process exits: `failpoint prepare.acked panicked`.
    let pending = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^failpoint (\S+) panicked/.exec(line);
        if (m) this.fired.push(`${name}:${m[1]}`);
      }
    });
    this.children.set(name, child);
    child.once('exit', (code) => {
      rmSync(join(this.dirOf(name), 'port'), { force: true });
      if (this.stopping || code === 0) return;
      this.crashes++;
      const n = (this.restarts.get(name) ?? 0) + 1;
      this.restarts.set(name, n);
      if (n <= (this.options.maxRestarts ?? 3)) setTimeout(() => !this.stopping && this.spawn(name, undefined), 20);
    });
  }
}
