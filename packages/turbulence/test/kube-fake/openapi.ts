/**
 * Just enough OpenAPI v3 for kubectl: the root index (`/openapi/v3`) and, per group/version, a document whose
 * PATCH operations carry `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. kubectl
 * reads that to decide the server validates fields (then it skips client-side schema validation, which would need
 * the full schemas this fake does not have). `/openapi/v2` stays 404.
 */
import { createHash } from 'node:crypto';
import type { Registry } from './resources.js';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

/** The served group/versions. */
function groupVersions(reg: Registry): Array<[string, string]> {
  const out = new Map<string, [string, string]>();
  for (const d of reg.all()) for (const v of d.versions) out.set(gvPath(d.group, v), [d.group, v]);
  return [...out.values()];
}

/** `/openapi/v3`. */
export function openapiRoot(reg: Registry): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, v] of groupVersions(reg)) {
    const doc = JSON.stringify(openapiDoc(reg, g, v));
    const hash = createHash('sha256').update(doc).digest('hex').slice(0, 32).toUpperCase();
    paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${hash}` };
  }
  return { paths };
}

const param = (name: string): Record<string, unknown> => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
});

/** `/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`, or undefined. */
export function openapiDoc(reg: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const d of defs) {
    const base = `/${gvPath(group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
    const gvk = { group, version, kind: d.kind };
    const op = (action: string): Record<string, unknown> => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { post: op('post') };
    paths[`${base}/{name}`] = { put: op('put'), patch: op('patch') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-fake)', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}
