// Host helpers shared by the proxy benchmarks: CPU pinning, machine-wide busy time, and the entry point that
// stops every spawned child when the benchmark ends.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** True when workloads can be pinned to CPUs (`taskset` present, 2+ CPUs, no `--no-pin`). */
export function canPin(): boolean {
  if (process.argv.includes('--no-pin') || availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Sets the CPU affinity of every thread of `pid`. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);
/** CPU time (µs) the whole machine has spent busy so far (user, nice, system, irq, softirq, steal). */
export function machineBusy(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) * TICK_US;
}

/** Runs a benchmark's `main`, prints its error (exit code 1), then stops the children still running and exits. */
export function runBench(main: () => Promise<void>, children: readonly ChildProcess[]): void {
  main()
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      setTimeout(() => process.exit(), 200).unref();
    });
}

/**
 * Starts bench/proxy-target.ts (`node <nodeFlags> --import tsx proxy-target.ts <args>`), added to `children`, and
 * resolves once it prints its port. `ask('cpu' | 'rss')` sends that command and resolves with the answer's value.
 */
export async function startProxyTarget(
  nodeFlags: readonly string[],
  args: readonly string[],
  children: ChildProcess[],
): Promise<{ port: number; pid: number; ask: (command: 'cpu' | 'rss') => Promise<number>; stop: () => void }> {
  const script = fileURLToPath(new URL('./proxy-target.ts', import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> =>
    JSON.parse((await lines.next()).value as string) as Record<string, number>;
  const { port } = await next();
  return {
    port: port!,
    pid: child.pid!,
    ask: async (command) => {
      child.stdin.write(`${command}\n`);
      return (await next())[command]!;
    },
    stop: () => child.stdin.end(),
  };
}

/**
 * Extracts `packages/turbulence/src` at git `ref` into a fresh directory under `.tmp/` (gitignored; its imports
 * resolve through the checkout's node_modules). Returns the `src` path and the directory to remove afterwards.
 */
export function extractSrc(ref: string): { src: string; dir: string } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp', 'bench-before-'));
  const tar = execFileSync('git', ['-C', root, 'archive', ref, 'packages/turbulence/src'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return { src: join(dir, 'packages/turbulence/src'), dir };
}
