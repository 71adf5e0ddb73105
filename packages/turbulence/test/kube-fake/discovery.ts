/**
 * Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`, in the
 * legacy (non-aggregated) form. kubectl asks for aggregated discovery first and falls back when the answer's
 * content type is plain `application/json`, which is all this fake speaks.
 */
import { createHash } from 'node:crypto';
import type { Registry, ResourceDef } from './resources.js';

/** The version the fake reports; kubectl warns only beyond one minor of skew. */
export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const hash = (d: ResourceDef): string =>
  createHash('sha256').update(`${d.group}/${d.plural}/${d.kind}`).digest('base64').slice(0, 11);

/** `/api`. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function group(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** `/apis`. */
export function apiGroupList(reg: Registry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...reg.groups()].map(([name, versions]) => group(name, versions)),
  };
}

/** `/apis/<group>`, or undefined when no such group is served. */
export function apiGroup(reg: Registry, name: string): Record<string, unknown> | undefined {
  const versions = reg.groups().get(name);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...group(name, versions) } : undefined;
}

/** `/api/v1` or `/apis/<group>/<version>`, or undefined when nothing is served there. */
export function apiResourceList(
  reg: Registry,
  groupName: string,
  version: string,
): Record<string, unknown> | undefined {
  const defs = reg.all().filter((d) => d.group === groupName && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of defs) {
    resources.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      ...(d.categories ? { categories: d.categories } : {}),
      storageVersionHash: hash(d),
    });
    for (const [sub, s] of Object.entries(d.subresources)) {
      resources.push({
        name: `${d.plural}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind || d.kind,
        verbs: s.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources,
  };
}
