/**
 * Whether a Docker daemon answers: `GET /_ping` on `DOCKER_HOST` (`unix://PATH` or `tcp://HOST:PORT`) or on
 * `/var/run/docker.sock`, the way the docker CLI finds it. A `docker` binary on PATH says nothing about a daemon.
 */
import { request } from 'node:http';
import type { CapabilityResult } from '../core/fault.js';
import { errorMessage } from '../core/errors.js';

/** Where the daemon is: a unix socket path or a TCP host and port. */
export type DockerEndpoint = { socketPath: string } | { host: string; port: number };

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * The endpoint `DOCKER_HOST` names (default: the standard socket), or a reason it cannot be pinged.
 *
 * @example
 * dockerEndpoint('tcp://127.0.0.1:2375'); // { host: '127.0.0.1', port: 2375 }
 */
export function dockerEndpoint(dockerHost: string | undefined): DockerEndpoint | { unsupported: string } {
  if (!dockerHost) return { socketPath: DEFAULT_SOCKET };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(`http://${dockerHost.slice('tcp://'.length)}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) };
  }
  return { unsupported: `DOCKER_HOST=${dockerHost} (only unix:// and tcp:// are checked)` };
}

const describe = (e: DockerEndpoint): string =>
  'socketPath' in e ? `unix://${e.socketPath}` : `tcp://${e.host}:${e.port}`;

/**
 * Pings the daemon; ok with its API version, or the reason it does not answer.
 *
 * @example
 * await dockerPing(); // { ok: true, detail: 'daemon answers at unix:///var/run/docker.sock (API 1.47)' }
 */
export function dockerPing(dockerHost = process.env.DOCKER_HOST, timeoutMs = 2000): Promise<CapabilityResult> {
  const endpoint = dockerEndpoint(dockerHost);
  if ('unsupported' in endpoint) return Promise.resolve({ ok: false, reason: `not checked: ${endpoint.unsupported}` });
  const where = describe(endpoint);
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      const api = res.headers['api-version'];
      if (res.statusCode === 200) {
        resolve({ ok: true, detail: `daemon answers at ${where}${api ? ` (API ${String(api)})` : ''}` });
      } else {
        resolve({ ok: false, reason: `daemon at ${where} answered ${res.statusCode} to /_ping` });
      }
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => {
      resolve({
        ok: false,
        reason: `no Docker daemon answers at ${where}: ${errorMessage(err)} (start dockerd, or set DOCKER_HOST)`,
      });
    });
    req.end();
  });
}
