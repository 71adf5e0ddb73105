/**
 * The Kubernetes API fake: a small, clearly fake API server for tests and for trying turbulence's Kubernetes
 * commands without a cluster. Real HTTP on loopback, the Kubernetes REST API for the resources turbulence uses,
 * a tiny reconciling controller. See README.md beside this file for what it is and is not.
 *
 * @example
 * const fake = await startKubeFake();
 * const kc = new KubeConfig();
 * kc.loadFromString(fake.kubeconfig);
 * // ... kubectl --kubeconfig FILE after `await fake.writeKubeconfig(FILE)`
 * await fake.close();
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../src/os/atomic.js';
import type { ForbidRule } from './authz.js';
import { Cluster } from './cluster.js';
import { Controller } from './controller.js';
import { podReady } from './disruption.js';
import { seedDefault, seedEmpty } from './seed.js';
import { buildServer } from './server.js';
import { selfSigned } from './tls.js';

export { Cluster, type KubeObject, type NewObject, type Selection } from './cluster.js';
export type { ForbidRule } from './authz.js';
export { FAKE_USER } from './authz.js';
export { WEB_LABELS, readyNode } from './seed.js';

/** Options of {@link startKubeFake}. */
export interface KubeFakeOptions {
  /** Address to bind (default 127.0.0.1; the fake is for loopback). */
  host?: string;
  /** Port (default 0: any free port; read the URL back). */
  port?: number;
  /** 'default': 3 nodes, Deployment `web` and a DaemonSet; 'empty': only the standard namespaces. */
  seed?: 'default' | 'empty';
  /** Run the reconciling controller (default true). */
  controller?: boolean;
  /** Bearer token clients must send (default: random). */
  token?: string;
  /** Permissions to deny (403), as RBAC would; SelfSubjectAccessReviews answer the same. */
  forbid?: ForbidRule[];
}

/** A running fake. */
export interface KubeFake {
  /** `https://127.0.0.1:PORT` (self-signed; the kubeconfig carries the CA). */
  url: string;
  /** A kubeconfig (YAML) for the fake: server, token, context `kube-fake`, namespace `default`. */
  kubeconfig: string;
  /** Writes the kubeconfig to `file` (mode 0600, atomically). */
  writeKubeconfig(file: string): Promise<void>;
  /** Direct state access for tests: `get`/`list`/`put`/`delete` (copies in and out). */
  cluster: Cluster;
  /** The bearer token. */
  token: string;
  /** PEM of the fake's self-signed certificate (its own CA). */
  ca: string;
  /** Stops the controller, ends watches, closes the server. */
  close(): Promise<void>;
}

/** The kubeconfig YAML for a fake at `url`. */
export function kubeconfigFor(url: string, token: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'kube-fake',
        cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'kube-fake', user: { token } }],
    contexts: [{ name: 'kube-fake', context: { cluster: 'kube-fake', user: 'kube-fake', namespace: 'default' } }],
    'current-context': 'kube-fake',
  });
}

async function settled(cluster: Cluster, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const done = (): boolean => {
    const pods = cluster.select(cluster.def('pods'), {});
    return pods.length >= 6 && pods.every(podReady);
  };
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Starts a fake Kubernetes API server on loopback.
 *
 * @example
 * const fake = await startKubeFake({ forbid: [{ verb: 'create', resource: 'pods/eviction' }] });
 */
export async function startKubeFake(options: KubeFakeOptions = {}): Promise<KubeFake> {
  const cluster = new Cluster();
  const seed = options.seed ?? 'default';
  if (seed === 'default') seedDefault(cluster);
  else seedEmpty(cluster);
  const controller = new Controller(cluster);
  if (options.controller !== false) controller.start();
  const token = options.token ?? randomBytes(16).toString('hex');
  const closing = new Set<() => void>();
  const host = options.host ?? '127.0.0.1';
  const tls = await selfSigned(host);
  const app = buildServer(cluster, { token, forbid: options.forbid ?? [], tls }, closing);
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${String(port)}`;
  if (seed === 'default' && options.controller !== false) await settled(cluster, 5000);
  const kubeconfig = kubeconfigFor(url, token, tls.cert);
  return {
    url,
    kubeconfig,
    token,
    ca: tls.cert,
    cluster,
    writeKubeconfig: (file) => writeFileAtomic(file, kubeconfig, 0o600),
    close: async () => {
      controller.stop();
      for (const stop of [...closing]) stop();
      cluster.close();
      await app.close();
    },
  };
}
