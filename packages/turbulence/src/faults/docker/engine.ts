/**
 * @module Container helpers shared by the `container.*` drivers: the target resolver with a state check per kind,
 * Engine calls by container id, and polling of the Engine's view of a container.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { docker, inspectContainer } from '../../os/docker.js';
import { dockerPing } from '../../os/docker-ping.js';
import type { CapabilityResult } from '../../core/fault.js';
import { containerAttrs, resolveContainers } from '../../targets/container.js';

/** The Engine's handle on a target's container. */
export const containerOf = (target: Target) => docker().getContainer(containerAttrs(target).id);

/**
 * Resolves containers and refuses the ones in a state the kind cannot act on (a paused container cannot be
 * killed, stopped or paused again), naming the container and what to do.
 */
export async function resolveFor(
  kind: string,
  query: JsonObject | undefined,
  refuse: readonly string[] = ['paused'],
): Promise<Target[]> {
  const targets = await resolveContainers(query);
  const wrong = targets.filter((t) => refuse.includes(containerAttrs(t).state));
  if (wrong.length > 0) {
    const names = wrong.map((t) => `${t.name} (${containerAttrs(t).state})`).join(', ');
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${kind}: refusing ${names}`, {
      hint:
        containerAttrs(wrong[0] as Target).state === 'paused'
          ? 'it is paused already (by someone else, or by another fault): unpause it, or revert that fault first'
          : 'start it first, or narrow the target query',
    });
  }
  return targets;
}

/** Polls the Engine until `pred(inspect)` holds (true) or `ms` pass (false); a gone container is `undefined`. */
export async function waitContainer(
  id: string,
  pred: (info: Awaited<ReturnType<typeof inspectContainer>>) => boolean,
  ms = 5000,
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (pred(await inspectContainer(id))) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Capability of every container kind: a daemon that answers. */
export async function dockerReachable(): Promise<CapabilityResult> {
  return dockerPing();
}
