/**
 * Running the real `kubectl` against a kubeconfig, for the fidelity suites (fake and real cluster). The suite is
 * skipped with a printed reason when kubectl is missing, and fails instead in CI (`CI=true`).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { inCI, which } from '../support/system.js';

/** `{ skip, reason }` for suites that need kubectl. */
export function requireKubectl(): { skip: boolean; reason: string } {
  if (which('kubectl')) return { skip: false, reason: '' };
  const reason = 'needs `kubectl` (install with scripts/setup-system.sh)';
  if (inCI) throw new Error(`system test prerequisite missing in CI: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { skip: true, reason };
}

/** What one kubectl run printed. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl --kubeconfig FILE ...args` (never throws on a non-zero exit; 30 s hard limit). */
export function kubectl(kubeconfig: string, ...args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: 30_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs kubectl and parses its JSON output; throws with stderr when it failed. */
export async function kubectlJson<T>(kubeconfig: string, ...args: string[]): Promise<T> {
  const r = await kubectl(kubeconfig, ...args, '-o', 'json');
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Starts a long-running kubectl (a watch); the caller kills it. */
export function spawnKubectl(kubeconfig: string, ...args: string[]): ChildProcessWithoutNullStreams {
  return spawn('kubectl', ['--kubeconfig', kubeconfig, ...args]);
}
