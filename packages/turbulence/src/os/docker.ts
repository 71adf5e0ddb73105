/**
 * @module The Docker Engine client (dockerode): one per process, found the way the docker CLI finds the daemon
 * (`DOCKER_HOST`, else `/var/run/docker.sock`), and the Engine's answers turned into `TurbulenceError`s that name the
 * container and say what to do. Nothing here knows about faults.
 *
 *   404 ──▶ gone (the container no longer exists)     304 ──▶ already in that state (start of a running one)
 *   409 ──▶ conflict (paused, not running)            ECONNREFUSED/ENOENT ──▶ UNAVAILABLE ("start dockerd")
 */
import Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import { ErrorCodes, TurbulenceError, errorMessage, type ErrorCode } from '../core/errors.js';

let client: Docker | undefined;

/**
 * The process's Engine client (created on first use from `DOCKER_HOST`, like the docker CLI).
 *
 * @example
 * const list = await docker().listContainers();
 */
export function docker(): Docker {
  client ??= new Docker({ timeout: 30_000 });
  return client;
}

/** The HTTP status of an Engine error (404, 304, 409...), or undefined for a transport error. */
export function engineStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The Engine's own message (`json.message`), else the error's. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return errorMessage(err);
}

/** True when the error says the container does not exist (404). */
export const isGone = (err: unknown): boolean => engineStatus(err) === 404;

/**
 * An Engine failure as a `TurbulenceError`: unreachable daemon → UNAVAILABLE with how to start it, missing
 * container → TARGET_REFUSED, anything else → `code` with the Engine's message.
 */
export function engineError(
  err: unknown,
  doing: string,
  code: ErrorCode = ErrorCodes.FAULT_INJECT_FAILED,
): TurbulenceError {
  const status = engineStatus(err);
  if (status === undefined) {
    return new TurbulenceError(ErrorCodes.UNAVAILABLE, `${doing}: Docker is unreachable: ${errorMessage(err)}`, {
      hint: 'start dockerd (scripts/start-dockerd.sh does it for the tests), or point DOCKER_HOST at a daemon',
      cause: err,
    });
  }
  if (status === 404) {
    return new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${doing}: ${engineMessage(err)}`, {
      hint: '`docker ps -a` lists the containers; the container may have been removed meanwhile',
      cause: err,
    });
  }
  return new TurbulenceError(code, `${doing}: ${engineMessage(err)} (Engine answered ${status})`, { cause: err });
}

/** Inspect of a container, or undefined when it no longer exists. */
export async function inspectContainer(id: string): Promise<ContainerInspectInfo | undefined> {
  try {
    return await docker().getContainer(id).inspect();
  } catch (err) {
    if (isGone(err)) return undefined;
    throw engineError(err, `inspect container ${id.slice(0, 12)}`, ErrorCodes.FAULT_REVERT_FAILED);
  }
}

/**
 * Runs an Engine call on a container, treating "already so" (304, or an error whose message matches `already`)
 * as success; returns false when the container is gone (404).
 */
export async function containerCall(
  doing: string,
  call: () => Promise<unknown>,
  already?: RegExp,
  code: ErrorCode = ErrorCodes.FAULT_INJECT_FAILED,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    const status = engineStatus(err);
    if (status === 304) return true;
    // "already so" comes as 409 or (Engine 20.10: "is not paused") as 500: the message tells.
    if (status !== 404 && already?.test(engineMessage(err))) return true;
    if (status === 404) return false;
    throw engineError(err, doing, code);
  }
}

/**
 * The id of the container this process runs in (from `/proc/self/cgroup` or `/proc/self/mountinfo`), or
 * undefined on a plain host. The target resolver never hands it out: turbulence does not pause its own container.
 */
export function ownContainerId(read: (path: string) => string | undefined): string | undefined {
  const cgroup = read('/proc/self/cgroup') ?? '';
  const fromCgroup = /(?:docker[-/]|\/containers\/)([0-9a-f]{64})/.exec(cgroup)?.[1];
  if (fromCgroup) return fromCgroup;
  const mounts = read('/proc/self/mountinfo') ?? '';
  return /\/containers\/([0-9a-f]{64})\/(?:hostname|resolv\.conf|hosts)/.exec(mounts)?.[1];
}
