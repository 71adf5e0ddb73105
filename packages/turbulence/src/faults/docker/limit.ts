/**
 * @module Resource limits on a container through the Engine (`POST /containers/{id}/update`), the way
 * `docker update` sets them: `container.limit-cpu` (CFS quota as a percent of one CPU) and `container.limit-pids`.
 * The values in force before are saved in a file of the turbulence home BEFORE the update, so revert (and `recover`
 * after a crash between the update and the ledger) puts them back. "No limit" goes back as -1 (the Engine's way to
 * lift a limit; inspect then shows -1 / 0 where it showed 0).
 *
 *   inject ─▶ inspect HostConfig ─▶ $TURBULENCE_HOME/container-limits/<key>.json ─▶ update ─▶ state { previous }
 *   revert ─▶ update(previous) ─▶ remove the file          (a container gone meanwhile: nothing to restore)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from '../../os/atomic.js';
import { containerCall, inspectContainer } from '../../os/docker.js';
import { turbulenceHome } from '../../os/home.js';
import { containerAttrs } from '../../targets/container.js';
import { faultIdOf, objectName } from '../naming.js';
import { containerOf, dockerReachable, resolveFor } from './engine.js';
import { limitCpuParams, limitPidsParams } from './schema.js';

type Update = Record<string, number>;

interface LimitVariant<P> {
  kind: string;
  summary: string;
  params: z.ZodType<P>;
  /** The update that applies the limit. */
  apply(p: P): Update;
  /** The update that restores what inspect showed before. */
  previous(host: Record<string, unknown>): Update;
}

/** Where the values in force before a limit are kept until revert: `$TURBULENCE_HOME/container-limits/`. */
export const savedDir = (): string => join(turbulenceHome(), 'container-limits');
/** The file of one fault's saved values. */
export const savedFile = (key: string): string => join(savedDir(), `${objectName('', key)}.json`);

/** The values a fault saved before it acted, or undefined. */
export function readSaved<T = Update>(key: string): T | undefined {
  try {
    return JSON.parse(readFileSync(savedFile(key), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The key inject used: the ledger id, or (a direct driver call) kind + target + params. */
export const limitKeyOf = (kind: string, fault: { id: string; target: Target; params: unknown }): string =>
  /^container-/.test(fault.id) ? fault.id : faultIdOf(undefined, kind, fault.target, fault.params);

function limitDriver<P extends JsonObject>(v: LimitVariant<P>): FaultDriver<P> {
  const keyOf = (fault: { id: string; target: Target; params: P }): string => limitKeyOf(v.kind, fault);
  return {
    kind: v.kind,
    summary: v.summary,
    params: v.params,
    reversible: true,
    targets: ['container'],
    check: dockerReachable,
    resolveTargets: (query) => resolveFor(v.kind, query, []),
    exclusive: (target) => `${v.kind}:${containerAttrs(target).id}`,
    async inject(target, p, ctx) {
      const key = faultIdOf(ctx, v.kind, target, p);
      let previous = readSaved(key);
      if (!previous) {
        const info = await inspectContainer(containerAttrs(target).id);
        previous = v.previous((info?.HostConfig ?? {}) as Record<string, unknown>);
        await ensurePrivateDir(savedDir());
        await writeFileAtomic(savedFile(key), JSON.stringify(previous));
      }
      const gone = !(await containerCall(`update container ${target.name}`, () =>
        containerOf(target).update(v.apply(p)),
      ));
      if (gone) {
        throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${v.kind}: container ${target.name} is gone`, {
          hint: '`docker ps` lists the containers that run',
        });
      }
      return { previous };
    },
    async revert(fault) {
      const key = keyOf(fault);
      const previous = (fault.state as { previous?: Update } | undefined)?.previous ?? readSaved(key);
      if (!previous) return; // inject never got as far as saving: nothing was changed
      await containerCall(
        `restore the limits of container ${fault.target.name}`,
        () => containerOf(fault.target).update(previous),
        undefined,
        ErrorCodes.FAULT_REVERT_FAILED,
      );
      await removeFileDurably(savedFile(key)).catch(() => undefined);
    },
  };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** `container.limit-cpu`. */
export const limitCpuDriver = limitDriver<z.output<typeof limitCpuParams>>({
  kind: 'container.limit-cpu',
  summary: 'cap a container at a percent of one CPU (CFS quota, docker update --cpu-quota); revert restores it',
  params: limitCpuParams,
  apply: (p) => ({ CpuPeriod: 100_000, CpuQuota: Math.max(1000, Math.round(p.percent * 1000)) }),
  previous: (h) => ({
    CpuPeriod: num(h.CpuPeriod) > 0 ? num(h.CpuPeriod) : 100_000,
    CpuQuota: num(h.CpuQuota) > 0 ? num(h.CpuQuota) : -1,
  }),
});

/** `container.limit-pids`. */
export const limitPidsDriver = limitDriver<z.output<typeof limitPidsParams>>({
  kind: 'container.limit-pids',
  summary: 'cap the number of processes of a container (docker update --pids-limit); revert restores it',
  params: limitPidsParams,
  apply: (p) => ({ PidsLimit: p.max }),
  previous: (h) => ({ PidsLimit: num(h.PidsLimit) > 0 ? num(h.PidsLimit) : -1 }),
});
