/**
 * @module Docker containers as targets (type `container`), found through the Engine API.
 *
 *   { name: web-1 }            exact name(s)              { name: "re2:^web-" }   RE2 regex on names (Pumba)
 *   { id: 3f2a }               id prefix                  { label: "app=web,tier=front" }   labels, ANDed
 *   { project: shop, service: api }   Docker Compose labels          { all: true }   stopped ones too
 *
 * Labels, project and service go to the Engine as filters; names, regexes and id prefixes are matched here.
 * Never returned: containers labelled `turbulence.skip=true` (or Pumba's `com.gaiaadm.pumba.skip`, or Pumba itself,
 * `com.gaiaadm.pumba`) and the container this process runs in. The id is `container:<full id>`.
 */
import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import type { ContainerInfo } from 'dockerode';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { didYouMean } from '../core/suggest.js';
import { docker, engineError, ownContainerId } from '../os/docker.js';
import { containerQuerySchema, type ContainerQuery } from './queries.js';

export { containerQuerySchema } from './queries.js';

/** Labels that keep a container out of every selection. */
export const SKIP_LABELS: readonly string[] = ['turbulence.skip=true', 'com.gaiaadm.pumba.skip', 'com.gaiaadm.pumba'];

/** What a container target carries. */
export interface ContainerAttributes {
  /** Full container id. */
  id: string;
  name: string;
  image: string;
  /** `running`, `paused`, `exited`, ... when resolved. */
  state: string;
  /** IPv4 addresses on its networks. */
  ips: string[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads a container target's attributes back. */
export function containerAttrs(target: Target): ContainerAttributes {
  const a = target.attributes;
  return {
    id: text(a.id),
    name: text(a.name),
    image: text(a.image),
    state: text(a.state),
    ips: Array.isArray(a.ips) ? a.ips.map(String) : [],
  };
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The Engine filters of a query: its labels plus the compose labels. */
function labelFilters(q: ContainerQuery): string[] {
  return [
    ...(q.label ?? []),
    ...(q.project ? [`com.docker.compose.project=${q.project}`] : []),
    ...(q.service ? [`com.docker.compose.service=${q.service}`] : []),
  ];
}

function skipped(c: ContainerInfo): boolean {
  return SKIP_LABELS.some((l) => {
    const [k, v] = l.split('=') as [string, string | undefined];
    return k in (c.Labels ?? {}) && (v === undefined || c.Labels[k] === v);
  });
}

const nameOf = (c: ContainerInfo): string => (c.Names[0] ?? c.Id).replace(/^\//, '');

/** A name matcher: exact names (or, like Pumba, container ids of 12+ hex digits), or one `re2:REGEX`. */
function nameMatcher(names: readonly string[] | undefined): ((name: string, id: string) => boolean) | undefined {
  if (!names) return undefined;
  const [first] = names;
  if (names.length === 1 && first?.startsWith('re2:')) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(first.slice(4));
    } catch (err) {
      throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${first} is not a valid RE2 regular expression`, {
        location: { path: ['target', 'name'] },
        hint: 'e.g. name: "re2:^web-[0-9]+$" (RE2 syntax: no backreferences or lookaround)',
        cause: err,
      });
    }
    return (n) => re.matcher(n).find();
  }
  const wanted = new Set(names.map((n) => n.replace(/^\//, '')));
  const ids = [...wanted].filter((n) => /^[0-9a-f]{12,64}$/.test(n));
  return (n, id) => wanted.has(n) || ids.some((prefix) => id.startsWith(prefix));
}

/** A container as a target. */
export function containerTarget(c: ContainerInfo): Target {
  const name = nameOf(c);
  const ips = Object.values(c.NetworkSettings?.Networks ?? {})
    .map((n) => n.IPAddress)
    .filter((ip): ip is string => typeof ip === 'string' && ip.length > 0);
  const attributes: ContainerAttributes = { id: c.Id, name, image: c.Image, state: c.State, ips };
  return { id: `container:${c.Id}`, type: 'container', name, attributes: { ...attributes, labels: { ...c.Labels } } };
}

/** Parses a container query, turning schema problems into one error that names the field. */
export function parseContainerQuery(query: JsonObject | undefined): ContainerQuery {
  const parsed = containerQuerySchema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `invalid container target: ${issue?.message}`, {
    location: { path: ['target', ...(issue?.path ?? []).map(String)] },
    hint: 'e.g. --target name=web-1, --target name=re2:^web-, --target id=3f2a, --target label=app=web,tier=front',
  });
}

/**
 * Resolves a query to containers, sorted by id. Throws TARGET_REFUSED naming the nearest container when an exact
 * name matches nothing, and UNAVAILABLE when Docker is unreachable.
 *
 * @example
 * await resolveContainers({ label: 'app=web' }); // [{ id: 'container:3f2a…', type: 'container', name: 'web-1', ... }]
 */
export async function resolveContainers(query: JsonObject | undefined): Promise<Target[]> {
  const q = parseContainerQuery(query);
  const filters = labelFilters(q);
  let listed: ContainerInfo[];
  try {
    listed = await docker().listContainers({
      all: true,
      ...(filters.length > 0 ? { filters: JSON.stringify({ label: filters }) } : {}),
    });
  } catch (err) {
    throw engineError(err, 'list containers', ErrorCodes.UNAVAILABLE);
  }
  const own = ownContainerId(readText);
  const byName = nameMatcher(q.name);
  const live = listed.filter((c) => q.all || c.State === 'running' || c.State === 'paused');
  const matched = live.filter(
    (c) =>
      c.Id !== own &&
      !skipped(c) &&
      (!byName || byName(nameOf(c), c.Id)) &&
      (!q.id || q.id.some((prefix) => c.Id.startsWith(prefix))),
  );
  if (matched.length === 0) throw nothingMatched(q, live.map(nameOf));
  return matched.map(containerTarget).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function nothingMatched(q: ContainerQuery, names: string[]): TurbulenceError {
  const exact = q.name && !q.name[0]?.startsWith('re2:') ? q.name : undefined;
  const hint = exact
    ? names.length > 0
      ? didYouMean(exact[0] ?? '', names)
      : 'no container is running'
    : `running containers: ${names.slice(0, 10).join(', ') || 'none'}${q.all ? '' : ' (add all: true for stopped ones)'}`;
  return new TurbulenceError(
    ErrorCodes.TARGET_REFUSED,
    `no ${q.all ? '' : 'running '}container matches ${JSON.stringify(describeQuery(q))}`,
    { hint: `${hint}; containers labelled turbulence.skip=true are never targets` },
  );
}

function describeQuery(q: ContainerQuery): JsonObject {
  const out: JsonObject = {};
  if (q.name) out.name = q.name.length === 1 ? (q.name[0] ?? '') : q.name;
  if (q.id) out.id = q.id.length === 1 ? (q.id[0] ?? '') : q.id;
  if (q.label) out.label = q.label.join(',');
  if (q.project) out.project = q.project;
  if (q.service) out.service = q.service;
  return out;
}
