/**
 * @module The lifecycle kinds of the `container` family, over the Engine API:
 *
 *   container.kill     signal (default SIGKILL)            revert: start again when restart: true
 *   container.stop     SIGTERM, SIGKILL after timeout      revert: start
 *   container.pause    cgroup freezer                      revert: unpause
 *   container.restart  stop + start                        revert: make sure it runs (a restart cannot be undone)
 *   container.remove   remove (force, volumes, links)      not reversible: refused without irreversible: true
 *
 * Every revert treats "already so" (304, "is not paused") and a container that is gone (404) as done: a container
 * removed meanwhile never blocks the revert of the rest.
 */
import type { z } from 'zod';
import type { FaultDriver } from '../../core/fault.js';
import { ErrorCodes } from '../../core/errors.js';
import { containerCall } from '../../os/docker.js';
import { containerAttrs } from '../../targets/container.js';
import { containerOf, dockerReachable, resolveFor, waitContainer } from './engine.js';
import { killParams, pauseParams, removeParams, restartParams, stopParams } from './schema.js';

const common = { targets: ['container'], check: dockerReachable } as const;
const NOT_RUNNING = /is not running/i;

/** The revert note of a container that was removed while the fault was on: reported, never blocking the rest. */
const goneNote = (name: string): string => `nothing to undo: container ${name} is gone (removed meanwhile)`;

/** Starts the container again (a running one: 304, fine; a gone one: nothing to do, and says so). */
async function startAgain(target: Parameters<typeof containerOf>[0]): Promise<string | undefined> {
  const there = await containerCall(
    `start container ${target.name}`,
    () => containerOf(target).start(),
    /already (started|running)/i,
    ErrorCodes.FAULT_REVERT_FAILED,
  );
  return there ? undefined : goneNote(target.name);
}

const running = (info: { State: { Running: boolean; Paused: boolean } } | undefined): boolean =>
  info !== undefined && info.State.Running && !info.State.Paused;
const stopped = (info: { State: { Running: boolean } } | undefined): boolean =>
  info === undefined || !info.State.Running;

/** `container.kill`. */
export const killDriver: FaultDriver<z.output<typeof killParams>> = {
  ...common,
  kind: 'container.kill',
  summary: 'send a signal to a container (default SIGKILL); with restart: true revert starts it again',
  params: killParams,
  reversible: false,
  resolveTargets: (query) => resolveFor('container.kill', query),
  async inject(target, p) {
    await containerCall(
      `kill container ${target.name}`,
      () => containerOf(target).kill({ signal: p.signal }),
      NOT_RUNNING,
    );
    return { signal: p.signal };
  },
  async verify(fault) {
    if (fault.params.signal !== 'SIGKILL') return true; // other signals may be handled: nothing to observe
    return waitContainer(containerAttrs(fault.target).id, stopped);
  },
  async revert(fault) {
    if (fault.params.restart) return startAgain(fault.target);
    return `not reversible: ${fault.params.signal} was sent to ${fault.target.name}; it runs again only by its restart policy`;
  },
};

/** `container.stop`. */
export const stopDriver: FaultDriver<z.output<typeof stopParams>> = {
  ...common,
  kind: 'container.stop',
  summary: 'stop a container (SIGTERM, SIGKILL after timeout seconds); revert starts it again',
  params: stopParams,
  reversible: true,
  resolveTargets: (query) => resolveFor('container.stop', query),
  exclusive: (target) => `container-stopped:${containerAttrs(target).id}`,
  async inject(target, p) {
    await containerCall(`stop container ${target.name}`, () => containerOf(target).stop({ t: p.timeout }));
  },
  verify: (fault) => waitContainer(containerAttrs(fault.target).id, stopped, 5000 + fault.params.timeout * 1000),
  revert: (fault) => startAgain(fault.target),
};

/** `container.pause`. */
export const pauseDriver: FaultDriver<z.output<typeof pauseParams>> = {
  ...common,
  kind: 'container.pause',
  summary: 'freeze every process of a container (cgroup freezer); revert unpauses it',
  params: pauseParams,
  reversible: true,
  resolveTargets: (query) => resolveFor('container.pause', query),
  exclusive: (target) => `container-paused:${containerAttrs(target).id}`,
  async inject(target) {
    await containerCall(`pause container ${target.name}`, () => containerOf(target).pause(), /already paused/i);
  },
  verify: (fault) => waitContainer(containerAttrs(fault.target).id, (i) => i?.State.Paused === true, 2000),
  async revert(fault) {
    const there = await containerCall(
      `unpause container ${fault.target.name}`,
      () => containerOf(fault.target).unpause(),
      /is not paused|not running/i,
      ErrorCodes.FAULT_REVERT_FAILED,
    );
    return there ? undefined : goneNote(fault.target.name);
  },
};

/** `container.restart`. */
export const restartDriver: FaultDriver<z.output<typeof restartParams>> = {
  ...common,
  kind: 'container.restart',
  summary: 'restart a container (stop with timeout seconds of grace, then start); revert makes sure it runs',
  params: restartParams,
  reversible: false,
  resolveTargets: (query) => resolveFor('container.restart', query),
  async inject(target, p) {
    await containerCall(`restart container ${target.name}`, () => containerOf(target).restart({ t: p.timeout }));
  },
  verify: (fault) => waitContainer(containerAttrs(fault.target).id, running),
  revert: (fault) => startAgain(fault.target),
};

/** `container.remove`. */
export const removeDriver: FaultDriver<z.output<typeof removeParams>> = {
  ...common,
  kind: 'container.remove',
  summary: 'remove a container (force, volumes, links as in Pumba); cannot be undone: needs irreversible: true',
  params: removeParams,
  reversible: false,
  resolveTargets: (query) => resolveFor('container.remove', query, []),
  async inject(target, p) {
    await containerCall(
      `remove container ${target.name}`,
      () => containerOf(target).remove({ force: p.force, v: p.volumes, link: p.links }),
      /already in progress/i,
    );
  },
  verify: (fault) => waitContainer(containerAttrs(fault.target).id, (i) => i === undefined),
  revert(fault) {
    // A removed container cannot come back; revert only clears the ledger entry, and says so.
    return Promise.resolve(`not reversible: container ${fault.target.name} was removed`);
  },
};
