/**
 * The arcade (kubedoom's row, made safe): live targets as sprites; shooting one injects `process.kill` through a
 * fault manager, so it is in the ledger before it acts, bounded by a blast radius, and reverted (the supervisor
 * restarts the process) when its duration ends, on Revert, on disarm or when the dashboard stops.
 *
 *   GET  /api/arcade            targets (name, pid, alive), armed, the blast radius
 *   POST /api/arcade/arm        {armed: boolean}; disarming reverts what the arcade injected
 *   POST /api/arcade/shoot      {target: name}: refused unless armed and the name is a listed target
 *
 * Targets are the demo's supervised replicas (`--demo`); other families (lab hosts, containers, pods) join when
 * they are configured.
 */
import type { FastifyInstance } from 'fastify';
import { ControlError } from '../control/index.js';
import { Rng } from '../core/rng.js';
import { FaultManager } from '../faults/manager.js';
import { alive } from '../os/signals.js';
import type { Supervisor } from '../supervisor/index.js';

/** The arcade's bounds: which names may be shot, how many faults at once, how long each lasts. */
export interface ArcadeLimits {
  targets: readonly string[];
  maxConcurrentFaults: number;
  /** A shot process stays down this long, then the revert restarts it. */
  durationMs: number;
}

const body = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ControlError('body: a JSON object', 400);
  return value as Record<string, unknown>;
};

/**
 * Registers the arcade's routes for processes of `supervisor`; returns a function that reverts what it injected.
 *
 * @example
 * const stop = registerArcade(app, demo.supervisor, { targets: ['demo-replica-1'], maxConcurrentFaults: 1, durationMs: 10_000 });
 */
export function registerArcade(
  app: FastifyInstance,
  supervisor: Supervisor,
  limits: ArcadeLimits,
): () => Promise<void> {
  let armed = false;
  const manager = new FaultManager({
    rng: new Rng(Date.now() >>> 0),
    blastRadius: { maxTargets: 1, maxConcurrentFaults: limits.maxConcurrentFaults },
  });
  const targets = () =>
    limits.targets.map((name) => {
      const pid = supervisor.get(name)?.pid ?? null;
      return { name, pid, alive: pid !== null && alive(pid) };
    });

  app.get('/api/arcade', () => ({
    armed,
    targets: targets(),
    blastRadius: {
      targets: limits.targets,
      kind: 'process.kill (SIGKILL, restarted on revert)',
      maxTargetsPerShot: 1,
      maxConcurrentFaults: limits.maxConcurrentFaults,
      downFor: `${limits.durationMs / 1000} s`,
    },
    active: manager.active().map((f) => ({ id: f.id, target: f.target.name })),
  }));
  app.post('/api/arcade/arm', async (request) => {
    const b = body(request.body);
    if (typeof b.armed !== 'boolean') throw new ControlError('armed: required boolean (true arms, false disarms)', 400);
    armed = b.armed;
    if (!armed) await manager.revertAll('disarmed');
    return { armed };
  });
  app.post('/api/arcade/shoot', async (request) => {
    const b = body(request.body);
    if (typeof b.target !== 'string') throw new ControlError('target: required string (a target name)', 400);
    if (!armed)
      throw new ControlError('the arcade is not armed: arm it first (POST /api/arcade/arm {"armed": true})', 409);
    if (!limits.targets.includes(b.target)) {
      throw new ControlError(
        `target ${JSON.stringify(b.target)} is outside the blast radius (${limits.targets.join(', ')})`,
        403,
      );
    }
    const faults = await manager
      .inject(
        {
          kind: 'process.kill',
          target: { managed: b.target },
          params: { signal: 'SIGKILL', restart: true },
          durationMs: limits.durationMs,
        },
        { activity: `arcade: shot ${b.target}` },
      )
      .catch((err: Error) => {
        throw new ControlError(err.message, 409);
      });
    return { faults: faults.map((f) => ({ id: f.id, kind: f.kind, target: f.target.name })) };
  });
  return async () => {
    armed = false;
    await manager.revertAll('dashboard stopped');
  };
}
