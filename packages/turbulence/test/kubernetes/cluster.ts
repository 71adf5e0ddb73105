/**
 * One Kubernetes API fake per test file (the kube-fake helper's `startKubeFake`), its kubeconfig in a temp dir,
 * and real `kubectl` against it: the effects of faults are read through kubectl, never through turbulence.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startKubeFake } from '../kube-fake/index.js';
import { inCI, which } from '../support/system.js';

const run = promisify(execFile);

/**
 * NODE_OPTIONS for a child that loads the Kubernetes family from the sources (`--import tsx`): the existing options
 * plus the preload of `@kubernetes/client-node` outside tsx's hooks (`preload-client-node.mjs`). Only faster.
 */
export function kubeNodeOptions(existing = process.env.NODE_OPTIONS): string {
  const preload = `--import="${join(import.meta.dirname, 'preload-client-node.mjs')}"`;
  return existing?.includes('preload-client-node.mjs') ? existing : [existing, preload].filter(Boolean).join(' ');
}

/** Skip (or fail in CI) without kubectl. */
export function kubectlRequirement(): { skip: boolean; reason: string } {
  if (which('kubectl')) return { skip: false, reason: '' };
  const reason = 'needs `kubectl` (Debian: kubernetes-client; scripts/setup-system.sh installs it)';
  if (inCI) throw new Error(`system test prerequisite missing in CI: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { skip: true, reason };
}

/** A started fake: its kubeconfig file, an env that points at it, kubectl, close. */
export interface TestCluster {
  kubeconfig: string;
  home: string;
  env: NodeJS.ProcessEnv;
  kubectl(...args: string[]): Promise<string>;
  /** kubectl that resolves to `{ code, out }` instead of throwing. */
  kubectlResult(...args: string[]): Promise<{ code: number; out: string }>;
  close(): Promise<void>;
}

/** Starts a fake with the default seed (3 nodes, Deployment web ×3 opted in). */
export async function startCluster(options: Parameters<typeof startKubeFake>[0] = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-kube-'));
  const fake = await startKubeFake({ seed: 'default', controller: true, ...options });
  const kubeconfig = join(dir, 'kubeconfig');
  await fake.writeKubeconfig(kubeconfig);
  const home = join(dir, 'home');
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    TURBULENCE_HOME: home,
    TURBULENCE_GUARDIAN: 'off',
    NODE_OPTIONS: kubeNodeOptions(),
  };
  const kubectl = async (...args: string[]) =>
    (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { env, timeout: 20_000 })).stdout.trim();
  return {
    kubeconfig,
    home,
    env,
    kubectl,
    async kubectlResult(...args) {
      try {
        return { code: 0, out: await kubectl(...args) };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    },
    async close() {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Annotations `turbulence.io/fault-*` left on an object (undo records nobody removed). */
export async function undoRecords(c: TestCluster, ...object: string[]): Promise<string[]> {
  const json = JSON.parse(await c.kubectl('get', ...object, '-o', 'json')) as {
    metadata?: { annotations?: Record<string, string> };
  };
  return Object.keys(json.metadata?.annotations ?? {})
    .filter((k) => k.startsWith('turbulence.io/fault-'))
    .map((k) => `${object.join(' ')}: ${k}`);
}
