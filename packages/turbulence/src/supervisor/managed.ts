/**
 * @module Finding and restarting supervised processes from any turbulence process. When the supervisor lives
 * in this process it does the work; otherwise the record in `managed/<name>.json` says how to start the process
 * again, and whether a live supervisor elsewhere will restart it by itself.
 */
import { hostname } from 'node:os';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { turbulenceHome } from '../os/home.js';
import { isSameProcess, startTimeOfSync, waitFor } from '../os/proc.js';
import { waitReady } from './readiness.js';
import { listRecordNames, readRecord, removeRecord, spawnManaged, writeRecord } from './record.js';
import type { ManagedRecord } from './record.js';
import { effectiveSpec } from './overrides.js';
import { supervisorOf, terminateRecorded } from './supervisor.js';

const FOREIGN_RESTART_WAIT_MS = 10_000;

/**
 * The record of a supervised process, or a `TARGET_REFUSED` error naming the ones that exist.
 *
 * @example
 * const web = await findManaged('web-1');
 */
export async function findManaged(name: string, home: string = turbulenceHome()): Promise<ManagedRecord> {
  const inProcess = supervisorOf(name)?.get(name);
  if (inProcess) return inProcess;
  const record = await readRecord(name, home);
  if (!record) {
    const known = await listRecordNames(home);
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no supervised process named ${JSON.stringify(name)}`, {
      hint:
        known.length > 0
          ? `${didYouMean(name, known)} (supervised: ${known.slice(0, 12).join(', ')})`
          : 'only processes turbulence started (the demo, a lab, Supervisor.start) can be targeted with managed=; none runs now',
    });
  }
  return record;
}

/** True when the record's process is alive and still the one recorded. */
export function isRecordAlive(record: ManagedRecord): Promise<boolean> {
  return isSameProcess(record.pid, record.startTime);
}

/** Stops a supervised process and starts it again; resolves with the new record once it is ready. */
export async function restartManaged(name: string, home: string = turbulenceHome()): Promise<ManagedRecord> {
  const local = supervisorOf(name);
  if (local) return local.restart(name);
  const record = await findManaged(name, home);
  await terminateRecorded(record);
  return startAgain(record, home);
}

/** Makes sure a supervised process runs (starting it again if it is gone); resolves with its record. */
export async function ensureManagedRunning(name: string, home: string = turbulenceHome()): Promise<ManagedRecord> {
  const local = supervisorOf(name);
  if (local) return local.ensureRunning(name);
  const record = await findManaged(name, home);
  if (await isRecordAlive(record)) return record;
  return startAgain(record, home);
}

/**
 * After the recorded process is gone: a live supervisor in another process restarts it by its policy (wait for
 * that); otherwise spawn it here, detached, and record that nobody watches it.
 */
async function startAgain(record: ManagedRecord, home: string): Promise<ManagedRecord> {
  const sup = record.supervisor;
  const supervised = sup !== undefined && sup.pid !== process.pid && (await isSameProcess(sup.pid, sup.startTime));
  if (supervised && record.spec.restart !== 'never') {
    let fresh: ManagedRecord | undefined;
    const restarted = await waitFor(
      async () => {
        fresh = await readRecord(record.spec.name, home);
        return fresh !== undefined && fresh.pid !== record.pid && (await isRecordAlive(fresh));
      },
      FOREIGN_RESTART_WAIT_MS,
      50,
    );
    if (restarted && fresh) return fresh;
  }
  const effective = effectiveSpec(record.spec, home);
  const child = spawnManaged(effective.spec, record.log, true, effective.unset);
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
  const next: ManagedRecord = {
    ...record,
    pid,
    startTime: startTimeOfSync(pid) ?? '',
    startedAt: new Date().toISOString(),
    restarts: record.restarts + 1,
  };
  delete next.overrides;
  if (effective.applied.length > 0) next.overrides = effective.applied;
  if (!supervised) delete next.supervisor;
  await writeRecord(next, home);
  const alive = () => startTimeOfSync(pid) === next.startTime;
  const { spec } = record;
  if (spec.readiness) {
    const options = { netns: spec.netns, intervalMs: spec.readyIntervalMs, log: record.log };
    await waitReady(spec.readiness, spec.readyTimeoutMs, alive, spec.name, options);
  }
  return next;
}

/**
 * Every recorded managed process by pid, with the start time recorded for it (so a reused pid does not match):
 * what other turbulence processes (a lab's supervisor, `turbulence supervise`) supervise on this machine.
 */
export async function recordedManagedPids(
  home: string = turbulenceHome(),
): Promise<Map<number, { name: string; startTime: string }>> {
  const out = new Map<number, { name: string; startTime: string }>();
  for (const name of await listRecordNames(home)) {
    const record = await readRecord(name, home).catch(() => undefined);
    if (record) out.set(record.pid, { name: record.spec.name, startTime: record.startTime });
  }
  return out;
}

/** What {@link recoverManaged} did. */
export interface ManagedRecovery {
  stopped: ManagedRecord[];
  kept: { name: string; reason: string }[];
}

/**
 * Stops supervised processes whose supervisor is gone (it crashed or was SIGKILLed: its process groups survive
 * it) and removes their records. Processes of a live supervisor, or of another host, are kept.
 *
 * @example
 * const { stopped } = await recoverManaged();
 */
export async function recoverManaged(home: string = turbulenceHome()): Promise<ManagedRecovery> {
  const out: ManagedRecovery = { stopped: [], kept: [] };
  for (const name of await listRecordNames(home)) {
    let record: ManagedRecord | undefined;
    try {
      record = await readRecord(name, home);
    } catch (err) {
      out.kept.push({ name, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (!record) continue;
    const sup = record.supervisor;
    if (sup && sup.host !== hostname()) {
      out.kept.push({ name, reason: `supervised on host ${sup.host}` });
      continue;
    }
    if (sup && (sup.pid === process.pid || (await isSameProcess(sup.pid, sup.startTime)))) {
      out.kept.push({ name, reason: `its supervisor (pid ${sup.pid}) is running` });
      continue;
    }
    await terminateRecorded(record);
    await removeRecord(name, home);
    out.stopped.push(record);
  }
  return out;
}
