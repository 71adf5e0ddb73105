/**
 * Harness of the Chaos Toolkit conformance RUN suite: where the public experiments are, a fresh workspace per
 * test, the real CLI as a child process, stand-in services started and killed by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder: the stand-in services and scripts. */
export const STANDINS = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(STANDINS, '../../../../..');
/** The public experiments, copied into the repository with their SOURCES.md and licences. */
export const CONFORMANCE = resolve(REPO_ROOT, 'packages', 'turbulence', 'test', 'fixtures', 'chaostoolkit');
export const CLI = join(REPO_ROOT, 'packages', 'turbulence', 'bin', 'turbulence.js');
const BUILT = join(REPO_ROOT, 'packages', 'turbulence', 'dist', 'cli', 'main.js');

/** Whether the suite can run: the fixtures ship with the repository, so a missing folder is an error, not a skip. */
export function conformanceGate(): { skip: boolean } {
  if (existsSync(CONFORMANCE)) return { skip: false };
  throw new Error(`Chaos Toolkit conformance suite: ${CONFORMANCE} is missing from the checkout`);
}

/** Fails early, with the fix, when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` before this suite`);
}

/** A public experiment by its path under the conformance folder, e.g. `runnable/x.json`. */
export const experimentPath = (rel: string): string => join(CONFORMANCE, rel);

/** The parts of a journal these tests read (the runner's full type lives in src/experiment/journal.ts). */
export interface JournalRecord {
  activity: { name?: string; type?: string; provider?: { type?: string; path?: string } };
  status: 'succeeded' | 'failed';
  output: unknown;
  exception?: string[];
  tolerance_met?: boolean;
}
export interface Hypothesis {
  steady_state_met: boolean;
  probes: JournalRecord[];
}
export interface Journal {
  status: string;
  deviated: boolean;
  experiment: { dry?: string | null };
  steady_states: { before: Hypothesis | null; after: Hypothesis | null };
  run: JournalRecord[];
  rollbacks: JournalRecord[];
  rollbacks_decision?: { strategy: string; run: boolean; reason: string } | null;
}

/** A fresh temp directory (the run's cwd) with its own TURBULENCE_HOME; `remove()` deletes both. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'turb-ctk-'));
  readonly home = mkdtempSync(join(tmpdir(), 'turb-ctk-home-'));
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** PATH with the stand-in executables (`pm2`, ...) first, then this Node, then the inherited PATH. */
export function standinPath(extra: string[] = []): string {
  return [...extra, join(STANDINS, 'bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The journal the run wrote, when it wrote one. */
  journal: Journal | undefined;
}

/**
 * Runs `turbulence run <experiment> --journal-path journal.json ...args` in the workspace and waits for it.
 * The child is SIGKILLed (by PID) if it outlives `timeoutMs`.
 */
export async function runCli(
  ws: Workspace,
  experiment: string,
  args: string[] = [],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const journalPath = ws.path('journal.json');
  const child = spawn(process.execPath, [CLI, 'run', experiment, '--journal-path', journalPath, ...args], {
    cwd: ws.dir,
    env: { ...process.env, NO_COLOR: '1', PATH: standinPath(), TURBULENCE_HOME: ws.home, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  const journal = existsSync(journalPath) ? (JSON.parse(readFileSync(journalPath, 'utf8')) as Journal) : undefined;
  return { code, ...out(), journal };
}

function collect(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return () => ({ stdout, stderr });
}

/** What a stand-in printed in its `READY {...}` line. */
export interface Ready {
  service: string;
  pid: number;
  port?: number;
  [key: string]: unknown;
}

/** Stand-in processes started by a test; `stopAll()` kills each by PID (SIGTERM, then SIGKILL). */
export class Standins {
  private readonly children: ChildProcess[] = [];
  private readonly extraPids = new Set<number>();

  /** Starts `standins/<script>` with node in `cwd` and resolves with its READY line. */
  async start(script: string, opts: { cwd: string; env?: Record<string, string>; args?: string[] }): Promise<Ready> {
    const child = spawn(process.execPath, [join(STANDINS, script), ...(opts.args ?? [])], {
      cwd: opts.cwd,
      env: { ...process.env, PATH: standinPath(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return waitReady(child, script);
  }

  /** Also kill this PID at the end (a process a stand-in started, e.g. read from a pid file). */
  adopt(pid: number | undefined): void {
    if (pid !== undefined && Number.isInteger(pid) && pid > 1) this.extraPids.add(pid);
  }

  async stopAll(): Promise<void> {
    const live = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(live.map((c) => stopChild(c)));
    for (const pid of this.extraPids) {
      if (pidAlive(pid) && isStandin(pid)) process.kill(pid, 'SIGKILL');
    }
    this.children.length = 0;
    this.extraPids.clear();
  }
}

function waitReady(child: ChildProcess, script: string): Promise<Ready> {
  return new Promise((resolveReady, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within 10 s: ${stderr}`)), 10_000);
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      buffered += c;
      const line = buffered.split('\n').find((l) => l.startsWith('READY '));
      if (!line) return;
      clearTimeout(timer);
      resolveReady(JSON.parse(line.slice('READY '.length)) as Ready);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it was ready (${signal ?? code}): ${stderr}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Whether a PID runs one of our stand-in scripts (guards against a recycled PID from a stale pid file). */
function isStandin(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(STANDINS);
  } catch {
    return false;
  }
}

/** Whether a process with this PID exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The integer in a pid file, or undefined when the file is absent. */
export function readPid(file: string): number | undefined {
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

/** Whether a TCP port on 127.0.0.1 can be bound right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** A free ephemeral port on 127.0.0.1 (free when asked; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** One GET; `{ status: 0 }` when nothing answers. HTTPS certificates are not verified (like `verify_tls: false`). */
export function get(url: string): Promise<{ status: number; body: string }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((done) => {
    const req = request(url, { rejectUnauthorized: false, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done({ status: 0, body: '' }));
    req.end();
  });
}

/** Polls `check` every 100 ms until it is true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
