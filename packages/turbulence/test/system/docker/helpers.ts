/**
 * Containers for the Docker system tests: busybox httpd containers from the image `scripts/start-dockerd.sh`
 * imports, each with a unique name and the label `turbulence.test=<this file's run id>`, so a file removes exactly
 * what it created (`removeTestContainers`). Effects are observed independently of turbulence: the Engine's inspect,
 * a TCP client, `nsenter` + `nft`/`tc` in the container's namespace.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Rng } from '../../../src/core/rng.js';
import { Ledger } from '../../../src/faults/ledger.js';
import { FaultManager } from '../../../src/faults/manager.js';

export const IMAGE = process.env.TURBULENCE_BUSYBOX_IMAGE ?? 'turbulence/busybox:latest';
export const engine = new Docker();
const exec = promisify(execFile);

/** A run id for one test file: its containers' label value and name prefix. */
export function testRun(): { id: string; label: string; name: (suffix: string) => string } {
  const id = `tb${randomBytes(3).toString('hex')}`;
  return { id, label: `turbulence.test=${id}`, name: (suffix) => `${id}-${suffix}` };
}

/** Creates and starts busybox httpd containers (port 80, `--init`), in parallel; resolves with their ids. */
export async function startContainers(
  names: readonly string[],
  labels: Record<string, string>,
  cmd: string[] = ['httpd', '-f', '-p', '80', '-h', '/var/www'],
): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      const c = await engine.createContainer({
        Image: IMAGE,
        name,
        Cmd: cmd,
        Labels: labels,
        HostConfig: { Init: true },
      });
      await c.start();
      return c.id;
    }),
  );
}

/** Removes every container labelled `turbulence.test=<id>` (and only those). */
export async function removeTestContainers(id: string): Promise<void> {
  const list = await engine.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`turbulence.test=${id}`] }),
  });
  await Promise.all(
    list.map((c) =>
      engine
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** The Engine's state of a container (undefined when it is gone). */
export async function stateOf(name: string) {
  try {
    return (await engine.getContainer(name).inspect()).State;
  } catch {
    return undefined;
  }
}

/** The container's IPv4 address on the default bridge. */
export async function ipOf(name: string): Promise<string> {
  const info = await engine.getContainer(name).inspect();
  return Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '';
}

/** True when a TCP connection to ip:port opens within `ms` (a real client, from this machine). */
export function reachable(ip: string, port = 80, ms = 800): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: ms });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** Milliseconds a TCP connect to ip:port takes (Infinity when it fails within `ms`). */
export function connectMs(ip: string, port = 80, ms = 3000): Promise<number> {
  const start = performance.now();
  return reachable(ip, port, ms).then((ok) => (ok ? performance.now() - start : Infinity));
}

/** An HTTP request from inside container `from` to `ip`:80 with busybox nc (a real client in a container). */
export async function httpFrom(from: string, ip: string): Promise<boolean> {
  try {
    const { stdout } = await exec(
      'docker',
      ['exec', from, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 80`],
      { timeout: 15_000 },
    );
    return stdout.startsWith('HTTP/');
  } catch {
    return false;
  }
}

/** Runs a command in the network namespace of the container's init process (`nsenter -t PID -n`). */
export async function inNetns(name: string, argv: string[]): Promise<string> {
  const pid = (await stateOf(name))?.Pid;
  if (!pid) return '';
  const { stdout } = await exec('nsenter', ['-t', String(pid), '-n', ...argv], { timeout: 15_000 }).catch(() => ({
    stdout: '',
  }));
  return stdout;
}

const inode = (path: string): number | undefined => {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
};

/** What turbulence may have left around a container: `tbc-*` names of its namespace, `turbulence*` nft tables, qdiscs. */
export async function netLeftovers(name: string): Promise<string[]> {
  const { stdout } = await exec('ip', ['netns', 'list']);
  // Only names of THIS container's namespace: other test files run at the same time with their own faults.
  const pid = (await stateOf(name))?.Pid;
  const own = pid ? inode(`/proc/${pid}/ns/net`) : undefined;
  const names = stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('tbc-') && own !== undefined && inode(`/run/netns/${n}`) === own);
  const tables = (await inNetns(name, ['nft', 'list', 'tables'])).split('\n').filter((l) => l.includes('turbulence'));
  const qdiscs = (await inNetns(name, ['tc', 'qdisc', 'show', 'dev', 'eth0']))
    .split('\n')
    .filter((l) => /\b(tbf|htb|netem|ingress)\b/.test(l));
  return [...names.map((n) => `netns ${n}`), ...tables, ...qdiscs];
}

/**
 * A fault manager seeded with `seed` and its ledger in a fresh home (`mkdtemp` of `turbulence-docker-<tag>-`), and
 * the cleanup for `afterAll`: revert every fault, dispose, remove the run's containers, delete the home.
 */
export function containerFaults(
  tag: string,
  seed: number,
  runId: string,
): { home: string; manager: FaultManager; cleanup: () => Promise<void> } {
  const home = mkdtempSync(join(tmpdir(), `turbulence-docker-${tag}-`));
  const manager = new FaultManager({ rng: new Rng(seed), ledger: new Ledger(join(home, 'ledger')) });
  const cleanup = async (): Promise<void> => {
    await manager.revertAll();
    manager.dispose();
    await removeTestContainers(runId);
    rmSync(home, { recursive: true, force: true });
  };
  return { home, manager, cleanup };
}
