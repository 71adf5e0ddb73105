/**
 * Ours: the `docker` probe. Reads containers' state from the Docker Engine (inspect), for steady-state hypotheses:
 *
 *   { "type": "docker", "name": "web-1" }
 *   → { "name": "web-1", "state": "running", "running": true, "paused": false, "health": "healthy",
 *       "restart_count": 0, "exit_code": 0 }
 *   { "type": "docker", "label": "app=web" }
 *   → { "total": 3, "running": 2, "paused": 1, "containers": [ ...as above, by name ] }
 *
 * `health` is the container's HEALTHCHECK status, or `none` without one. A missing container or an unreachable
 * Engine fails the probe with the reason.
 */
import type { ContainerInspectInfo } from 'dockerode';
import { docker, engineMessage } from '../os/docker.js';
import type { DockerProvider } from './docker-schema.js';
import { dockerSchema } from './docker-schema.js';
import { activityFailed, type ProviderDefinition } from './types.js';

/** One container's state as the probe reports it. */
export interface ContainerState {
  name: string;
  state: string;
  running: boolean;
  paused: boolean;
  health: string;
  restart_count: number;
  exit_code: number;
}

function stateOf(info: ContainerInspectInfo): ContainerState {
  return {
    name: info.Name.replace(/^\//, ''),
    state: info.State.Status,
    running: info.State.Running && !info.State.Paused,
    paused: info.State.Paused,
    health: info.State.Health?.Status ?? 'none',
    restart_count: info.RestartCount,
    exit_code: info.State.ExitCode,
  };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(activityFailed(`${what}: no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);

/** Runs the probe. */
export async function runDockerProbe(p: DockerProvider, signal?: AbortSignal): Promise<unknown> {
  if (signal?.aborted) throw activityFailed('docker probe: the run was aborted');
  const ms = (p.timeout ?? 5) * 1000;
  try {
    if (p.name !== undefined) {
      return stateOf(await withTimeout(docker().getContainer(p.name).inspect(), ms, `docker inspect ${p.name}`));
    }
    const labels = [p.label ?? []].flat().flatMap((l) => l.split(','));
    const list = await withTimeout(
      docker().listContainers({ all: true, filters: JSON.stringify({ label: labels }) }),
      ms,
      'docker list',
    );
    const containers = (await Promise.all(list.map((c) => docker().getContainer(c.Id).inspect())))
      .map(stateOf)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      total: containers.length,
      running: containers.filter((c) => c.running).length,
      paused: containers.filter((c) => c.paused).length,
      containers,
    };
  } catch (err) {
    throw activityFailed(`docker probe ${p.name ?? `label=${String(p.label)}`}: ${engineMessage(err)}`, err);
  }
}

/** The `docker` provider definition. */
export const dockerProvider: ProviderDefinition<DockerProvider> = {
  type: 'docker',
  schema: dockerSchema,
  substitute: ['name', 'label'],
  run: (p, ctx) => runDockerProbe(p, ctx.signal),
  describe: (p) => `docker state of ${p.name ?? `label ${String(p.label)}`}`,
};
