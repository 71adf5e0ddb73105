/**
 * The arcade (kubedoom's row, made safe): live targets as sprites; shooting one injects its family's kill
 * (`process.kill`, `container.kill`, `pod.delete`, see `arcade-sources.ts`) through a fault manager, so it is in the
 * ledger before it acts, bounded by a blast radius, and reverted (restarted) when its duration ends, on Revert, on
 * disarm or when the dashboard stops.
 *
 *   GET  /api/arcade            sources and their targets (key, name, alive), armed, the blast radius
 *   POST /api/arcade/arm        {armed: boolean}; disarming reverts what the arcade injected
 *   POST /api/arcade/shoot      {target: key}: refused unless armed and the key is a target of a source now
 *
 * Sources: the demo's replicas (`--demo`), and what `turbulence ui` is given: `--arcade-lab`, `--arcade-container`,
 * `--arcade-pod`.
 */
import type { FastifyInstance } from 'fastify';
import { ControlError } from '../control/index.js';
import { Rng } from '../core/rng.js';
import type { Target } from '../core/fault.js';
import { FaultManager } from '../faults/manager.js';
import { alive } from '../os/signals.js';
import { listTargets, type ArcadeSource, type ArcadeTarget } from './arcade-sources.js';

export type { ArcadeSource } from './arcade-sources.js';
export { containerSource, demoSource, labSource, podSource } from './arcade-sources.js';

/** The arcade's bounds: at most this many of its faults at once (one target per shot, always). */
export interface ArcadeLimits {
  maxConcurrentFaults: number;
}

const body = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ControlError('body: a JSON object', 400);
  return value as Record<string, unknown>;
};

/**
 * Registers the arcade's routes for `sources`; returns a function that reverts what it injected.
 *
 * @example
 * const stop = registerArcade(app, [demoSource(['demo-replica-1'], 15_000)], { maxConcurrentFaults: 1 });
 */
export function registerArcade(
  app: FastifyInstance,
  sources: readonly ArcadeSource[],
  limits: ArcadeLimits,
): () => Promise<void> {
  let armed = false;
  let aimed: string | undefined;
  // The manager's selection picks exactly the target shot at among what the source's query resolves to.
  const manager = new FaultManager({
    rng: new Rng(Date.now() >>> 0),
    blastRadius: { maxTargets: 1, maxConcurrentFaults: limits.maxConcurrentFaults },
    choose: (candidates: readonly Target[]) => candidates.filter((t) => t.id === aimed),
  });
  let shots: Promise<unknown> = Promise.resolve();

  /** Targets shot and not yet back: shown down even when their query no longer finds them (a stopped container). */
  const shotDown = new Map<string, ArcadeTarget>();
  const targets = async (): Promise<ArcadeTarget[]> => {
    const active = new Set(manager.active().map((f) => f.target.id));
    for (const id of shotDown.keys()) if (!active.has(id)) shotDown.delete(id);
    const lists = await Promise.all(sources.map((s, i) => listTargets(s, i).catch(() => [] as ArcadeTarget[])));
    const listed = lists.flat().map((t) => {
      const up = t.alive && !(t.target && active.has(t.target.id)) && (t.pid === null || alive(t.pid));
      return { ...t, alive: up };
    });
    const seen = new Set(listed.map((t) => t.key));
    const missing = [...shotDown.values()].filter((t) => !seen.has(t.key)).map((t) => ({ ...t, alive: false }));
    return [...listed, ...missing].sort((a, b) => a.source - b.source);
  };

  app.get('/api/arcade', async () => ({
    armed,
    sources: sources.map((s) => ({ label: s.label, family: s.family, kind: s.kind, effect: s.effect })),
    targets: (await targets()).map(({ target: _t, ...rest }) => rest),
    blastRadius: {
      targets: sources.map((s) => s.label),
      kind: sources.map((s) => s.effect).join('; '),
      maxTargetsPerShot: 1,
      maxConcurrentFaults: limits.maxConcurrentFaults,
    },
    active: manager.active().map((f) => ({ id: f.id, kind: f.kind, target: f.target.name })),
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
    if (typeof b.target !== 'string') throw new ControlError('target: required string (a target key)', 400);
    if (!armed)
      throw new ControlError('the arcade is not armed: arm it first (POST /api/arcade/arm {"armed": true})', 409);
    const key = b.target;
    const run = shots.then(() => shoot(key));
    shots = run.catch(() => undefined);
    return run;
  });

  const shoot = async (key: string) => {
    const all = await targets();
    const hit = all.find((t) => t.key === key);
    if (!hit) {
      throw new ControlError(
        `target ${JSON.stringify(key)} is outside the blast radius (${all.map((t) => t.key).join(', ') || 'no targets'})`,
        403,
      );
    }
    if (!hit.target || !hit.alive) throw new ControlError(`${hit.name} is down already`, 409);
    const source = sources[hit.source]!;
    const query =
      source.family === 'lab' ? labQuery(hit.key) : source.queries.find((q) => !q.key || q.key === key)!.query;
    aimed = hit.target.id;
    try {
      const faults = await manager.inject(
        {
          kind: source.kind,
          target: query,
          params: source.params,
          ...(source.durationMs !== undefined ? { durationMs: source.durationMs } : {}),
        },
        { activity: `arcade: shot ${hit.name}` },
      );
      if (faults.length === 0) throw new ControlError(`${hit.name} is no longer a target`, 409);
      shotDown.set(hit.target.id, hit);
      // A kill nothing undoes (pod.delete: its controller makes a new pod) holds nothing: out of the ledger at once.
      if (source.durationMs === undefined) for (const f of faults) await manager.revert(f.id, 'shot (irreversible)');
      return { faults: faults.map((f) => ({ id: f.id, kind: f.kind, target: f.target.name })) };
    } catch (err) {
      if (err instanceof ControlError) throw err;
      throw new ControlError((err as Error).message, 409);
    } finally {
      aimed = undefined;
    }
  };

  return async () => {
    armed = false;
    await manager.revertAll('dashboard stopped');
    manager.dispose();
  };
}

const labQuery = (key: string) => {
  const [lab, host, service] = key.split('/');
  return { lab: lab!, host: host!, service: service! };
};
