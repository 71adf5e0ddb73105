/**
 * What the arcade may shoot: sets of targets the user selected, one per family, each shot through that family's
 * existing fault kind. The set's query is the only thing a shot can reach: a shot picks one target the query
 * resolves to now (after the guard), so nothing outside the selection is ever hit.
 *
 *   demo replicas  process.kill {managed: NAME}             SIGKILL, restarted on revert
 *   lab NAME       process.kill {lab, host, service}        SIGKILL of one service of a host, restarted on revert
 *   containers     container.kill QUERY (label=, name=...)  SIGKILL, started again on revert
 *   pods           pod.delete QUERY (namespace=, selector=) deleted; its controller makes a new one
 */
import type { JsonObject } from '../core/json.js';
import type { Target } from '../core/fault.js';
import { Rng } from '../core/rng.js';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { readLabState } from '../lab/state.js';
import { getDriver } from '../faults/registry.js';
import { guardTargets } from '../targets/guard.js';
import { containerQuerySchema, podQuerySchema } from '../targets/queries.js';
import type { z } from 'zod';

/** The query as its family parses it, or a USAGE error naming the field and the flag. */
function checked(schema: z.ZodType, query: JsonObject, flag: string): JsonObject {
  const parsed = schema.safeParse(query);
  if (parsed.success) return query;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new TurbulenceError(ErrorCodes.USAGE, `${flag}: ${field}${issue?.message ?? 'not a valid query'}`, {
    hint: `${flag} takes the fields of the family's --target query, one key=value per flag (see \`turbulence fault kinds\`)`,
  });
}

/** One set of targets the arcade shows as sprites. */
export interface ArcadeSource {
  /** Shown above its sprites, e.g. `lab shop`. */
  label: string;
  /** Sprite shape. */
  family: 'process' | 'lab' | 'container' | 'pod';
  kind: 'process.kill' | 'container.kill' | 'pod.delete';
  /** The user's selection: each query is resolved, and only what they resolve to can be shot. */
  queries: { query: JsonObject; key?: string }[];
  params: JsonObject;
  /** How long a shot target stays down before the revert brings it back (none for pod.delete). */
  durationMs?: number;
  /** What a shot does, for the blast radius line. */
  effect: string;
}

/** A sprite: one target of a source, as the page draws it. */
export interface ArcadeTarget {
  /** What the page sends to shoot it. */
  key: string;
  source: number;
  family: ArcadeSource['family'];
  name: string;
  alive: boolean;
  pid: number | null;
  /** The resolved target (undefined when it is down and cannot be resolved now). */
  target?: Target;
}

/**
 * The demo's supervised replicas.
 *
 * @example
 * demoSource(['demo-replica-1', 'demo-replica-2'], 15_000);
 */
export function demoSource(names: readonly string[], durationMs: number): ArcadeSource {
  return {
    label: 'demo replicas',
    family: 'process',
    kind: 'process.kill',
    queries: names.map((managed) => ({ query: { managed }, key: managed })),
    params: { signal: 'SIGKILL', restart: true },
    durationMs,
    effect: `process.kill (SIGKILL), restarted after ${durationMs / 1000} s`,
  };
}

/** Every service of every host of a running lab (read from its state file when listed). */
export function labSource(lab: string, durationMs: number): ArcadeSource {
  return {
    label: `lab ${lab}`,
    family: 'lab',
    kind: 'process.kill',
    queries: [{ query: { lab } }], // expanded per host and service by listTargets
    params: { signal: 'SIGKILL', restart: true },
    durationMs,
    effect: `process.kill (SIGKILL) of one service of a host of lab ${lab}, restarted after ${durationMs / 1000} s`,
  };
}

/** Containers a `container.*` target query selects. */
export function containerSource(query: JsonObject, durationMs: number): ArcadeSource {
  checked(containerQuerySchema, query, '--arcade-container');
  return {
    label: `containers ${describe(query)}`,
    family: 'container',
    kind: 'container.kill',
    queries: [{ query }],
    params: { signal: 'SIGKILL', restart: true },
    durationMs,
    effect: `container.kill (SIGKILL), started again after ${durationMs / 1000} s`,
  };
}

/** Pods a `pod.*` target query selects. */
export function podSource(query: JsonObject): ArcadeSource {
  checked(podQuerySchema, query, '--arcade-pod');
  return {
    label: `pods ${describe(query)}`,
    family: 'pod',
    kind: 'pod.delete',
    queries: [{ query }],
    params: {},
    effect: 'pod.delete (its controller replaces it)',
  };
}

const describe = (q: JsonObject): string =>
  Object.entries(q)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');

/** The sprites of a source now: its queries resolved and guarded; a query that resolves to nothing is a down sprite. */
export async function listTargets(source: ArcadeSource, index: number): Promise<ArcadeTarget[]> {
  const driver = await getDriver(source.kind);
  const queries = source.family === 'lab' ? labQueries(source.queries[0]!.query.lab as string) : source.queries;
  const out: ArcadeTarget[] = [];
  const ctx = { rng: new Rng(0), signal: new AbortController().signal };
  for (const { query, key } of queries) {
    let targets: Target[];
    try {
      targets = guardTargets(source.kind, await driver.resolveTargets(query, ctx));
    } catch (err) {
      if (key) out.push({ key, source: index, family: source.family, name: key, alive: false, pid: null });
      else if (!/no .*match|not found|no target/i.test(errorMessage(err))) throw err;
      continue;
    }
    for (const t of targets) {
      const pid = typeof t.attributes.pid === 'number' ? t.attributes.pid : null;
      out.push({
        key: key ?? `${index}:${t.id}`,
        source: index,
        family: source.family,
        name: t.name,
        alive: true,
        pid,
        target: t,
      });
    }
  }
  return out;
}

function labQueries(lab: string): { query: JsonObject; key: string }[] {
  const state = readLabState(lab);
  if (!state) return [];
  return state.hosts.flatMap((h) =>
    Object.keys(h.services).map((service) => ({
      query: { lab, host: h.name, service },
      key: `${lab}/${h.name}/${service}`,
    })),
  );
}
