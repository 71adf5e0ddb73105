/**
 * Gate for system tests (root, namespaces, nft, etcd, dnsmasq, docker, python3...).
 *
 * A system test calls `requireSystem(...)` at the top of its file. When a prerequisite is missing the suite is
 * skipped with the printed reason, except in CI (`CI=true`), where a missing prerequisite fails the run: CI must
 * have installed it (scripts/setup-system.sh).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Requirement =
  | 'root'
  | 'python3'
  | 'ip'
  | 'nft'
  | 'iptables'
  | 'tc'
  | 'etcd'
  | 'dnsmasq'
  | 'dig'
  | 'stress-ng'
  | 'busybox'
  | 'faketime'
  | 'docker'
  | 'musl-gcc'
  | 'dockerd';

const BINARIES: Partial<Record<Requirement, string>> = {
  python3: 'python3',
  ip: 'ip',
  nft: 'nft',
  iptables: 'iptables',
  tc: 'tc',
  etcd: 'etcd',
  dnsmasq: 'dnsmasq',
  dig: 'dig',
  'stress-ng': 'stress-ng',
  busybox: 'busybox',
  faketime: 'faketime',
  docker: 'docker',
  'musl-gcc': 'musl-gcc',
};

/** Absolute path of an executable on PATH (plus sbin directories), or undefined. */
export function which(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function missing(req: Requirement): string | undefined {
  if (req === 'root') return process.getuid?.() === 0 ? undefined : 'needs root';
  const bin = BINARIES[req];
  if (bin && !which(bin)) return `needs \`${bin}\` (install with scripts/setup-system.sh)`;
  if (req === 'dockerd') return dockerdMissing();
  if (req === 'python3') {
    try {
      execFileSync('python3', ['-c', 'import sys'], { stdio: 'ignore' });
    } catch {
      return 'python3 does not run';
    }
  }
  return undefined;
}

/** Why no Docker daemon answers `GET /_ping` (at `DOCKER_HOST` or the default socket), or undefined when one does. */
function dockerdMissing(): string | undefined {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const args = host.startsWith('unix://')
    ? ['--unix-socket', host.slice('unix://'.length), 'http://localhost/_ping']
    : [`http://${host.replace(/^tcp:\/\//, '')}/_ping`];
  try {
    execFileSync('curl', ['-sf', '--max-time', '3', ...args], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `needs a Docker daemon answering at ${host} (scripts/start-dockerd.sh starts one as root)`;
  }
}

/** True in CI, where missing prerequisites fail instead of skipping. */
export const inCI = process.env.CI === 'true';

/**
 * Returns `{ skip, reason }` for the given prerequisites. In CI a missing prerequisite throws, failing the file.
 *
 * @example
 * const sys = requireSystem('root', 'nft');
 * describe.skipIf(sys.skip)('network.partition', () => { ... });
 */
export function requireSystem(...reqs: Requirement[]): { skip: boolean; reason: string } {
  const reasons = reqs.map(missing).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return { skip: false, reason: '' };
  const reason = reasons.join('; ');
  if (inCI) throw new Error(`system test prerequisite missing in CI: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { skip: true, reason };
}
