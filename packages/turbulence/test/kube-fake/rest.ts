/**
 * One resource request (`/api/v1/...`, `/apis/<g>/<v>/...`) → the {@link Cluster} operation it names. Returns
 * the status code and body; watches are streamed by the caller (see `watch.ts`).
 */
import type { Cluster, DeleteOptions, PatchType } from './cluster.js';
import { evict } from './disruption.js';
import { badRequest, KubeError } from './errors.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import { selectorString, type LabelSelector } from './selectors.js';
import type { KubeObject } from './store.js';
import { table, wantsTable, type IncludeObject } from './tables.js';

/** A parsed resource request. */
export interface ResourceRequest {
  method: string;
  def: ResourceDef;
  version: string;
  namespace?: string | undefined;
  name?: string | undefined;
  sub?: string | undefined;
  query: URLSearchParams;
  body: unknown;
  accept: string;
  contentType: string;
}

/** Status code and JSON body of an answer. */
export interface Answer {
  code: number;
  body: unknown;
  text?: string;
}

type Obj = Record<string, unknown>;

/** The object as served at the requested version (custom resources may be stored at another). */
export function renderer(r: ResourceRequest): (o: KubeObject) => KubeObject {
  const av = apiVersionOf(r.def.group, r.version);
  return (o) => (o.apiVersion === av ? o : { ...o, apiVersion: av });
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
};

function patchType(r: ResourceRequest): PatchType {
  const ct = r.contentType.split(';')[0]!.trim();
  const t = PATCH_TYPES[ct];
  if (t === 'strategic' && r.def.crd)
    throw new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  if (!t)
    throw new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  return t;
}

const dryRun = (r: ResourceRequest): boolean => r.query.getAll('dryRun').includes('All');

function deleteOptions(r: ResourceRequest): DeleteOptions {
  const b = (r.body ?? {}) as DeleteOptions & { dryRun?: string[] };
  const q = r.query;
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  const policy = q.get('propagationPolicy') ?? b.propagationPolicy;
  return {
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : {}),
    ...(b.preconditions ? { preconditions: b.preconditions } : {}),
    ...(dryRun(r) || b.dryRun?.includes('All') ? { dryRun: true } : {}),
  };
}

interface Continue {
  ns: string;
  name: string;
}

function list(cluster: Cluster, r: ResourceRequest): Answer {
  const sel = {
    namespace: r.namespace,
    labelSelector: r.query.get('labelSelector') ?? undefined,
    fieldSelector: r.query.get('fieldSelector') ?? undefined,
  };
  let items = cluster.select(r.def, sel);
  const token = r.query.get('continue');
  if (token) {
    let after: Continue;
    try {
      after = JSON.parse(Buffer.from(token, 'base64url').toString()) as Continue;
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    const at = items.findIndex((o) => {
      const ns = o.metadata.namespace ?? '';
      return ns > after.ns || (ns === after.ns && o.metadata.name > after.name);
    });
    items = at < 0 ? [] : items.slice(at);
  }
  const limit = Number(r.query.get('limit') ?? 0);
  let cont: string | undefined;
  let remaining: number | undefined;
  if (limit > 0 && items.length > limit) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1]!;
    cont = Buffer.from(JSON.stringify({ ns: last.metadata.namespace ?? '', name: last.metadata.name })).toString(
      'base64url',
    );
  }
  const rv = String(cluster.store.rv);
  if (wantsTable(r.accept)) {
    const include = (r.query.get('includeObject') ?? 'PartialObjectMetadata') as IncludeObject;
    return { code: 200, body: table(r.def, items.map(renderer(r)), rv, include, cont) };
  }
  const render = renderer(r);
  return {
    code: 200,
    body: {
      kind: `${r.def.kind}List`,
      apiVersion: apiVersionOf(r.def.group, r.version),
      metadata: { resourceVersion: rv, ...(cont ? { continue: cont, remainingItemCount: remaining } : {}) },
      items: items.map(render),
    },
  };
}

function one(r: ResourceRequest, o: KubeObject, code = 200): Answer {
  const out = renderer(r)(o);
  if (wantsTable(r.accept) && r.method === 'GET') {
    const include = (r.query.get('includeObject') ?? 'PartialObjectMetadata') as IncludeObject;
    return { code, body: table(r.def, [out], o.metadata.resourceVersion, include) };
  }
  return { code, body: out };
}

/** The Scale view of a workload. */
function scaleOf(o: KubeObject): Obj {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: ((o.status ?? {}) as { replicas?: number }).replicas ?? 0,
      selector: selectorString(spec.selector),
    },
  };
}

function scale(cluster: Cluster, r: ResourceRequest): Answer {
  const o = cluster.must(r.def, r.namespace, r.name!);
  if (r.method === 'GET') return { code: 200, body: scaleOf(o) };
  let wanted: Obj;
  if (r.method === 'PUT') wanted = (r.body ?? {}) as Obj;
  else if (r.method === 'PATCH') wanted = cluster.patched(scaleOf(o) as unknown as KubeObject, patchType(r), r.body);
  else throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const meta = (wanted.metadata ?? {}) as { resourceVersion?: string };
  const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || replicas < 0)
    throw new KubeError(
      422,
      'Invalid',
      `Scale.autoscaling "${o.metadata.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  const next = {
    ...o,
    spec: { ...(o.spec as Obj), replicas },
    metadata: { ...o.metadata, resourceVersion: meta.resourceVersion ?? '' },
  };
  return { code: 200, body: scaleOf(cluster.update(r.def, r.namespace, r.name!, next, { dryRun: dryRun(r) })) };
}

function subresource(cluster: Cluster, r: ResourceRequest): Answer {
  const sub = r.sub!;
  if (!r.def.subresources[sub])
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  if (sub === 'scale') return scale(cluster, r);
  if (sub === 'eviction') {
    if (r.method !== 'POST') throw new KubeError(405, 'MethodNotAllowed', 'eviction accepts POST only');
    return { code: 201, body: evict(cluster, r.namespace!, r.name!, r.body) };
  }
  if (sub === 'exec')
    throw badRequest('kube-fake: pods/exec is not supported: this is a fake API server and no container runs here');
  if (sub === 'log') {
    cluster.must(r.def, r.namespace, r.name!);
    return {
      code: 200,
      body: undefined,
      text: `kube-fake: pod ${r.name} has no logs (no container runs in the fake)\n`,
    };
  }
  // status
  const opts = { dryRun: dryRun(r), status: true };
  if (r.method === 'GET') return one(r, cluster.must(r.def, r.namespace, r.name!));
  if (r.method === 'PUT') return one(r, cluster.update(r.def, r.namespace, r.name!, r.body as KubeObject, opts));
  if (r.method === 'PATCH') return one(r, cluster.patch(r.def, r.namespace, r.name!, patchType(r), r.body, opts));
  throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** Answers a resource request (everything but watches). */
export function handle(cluster: Cluster, r: ResourceRequest): Answer {
  if (r.sub) return subresource(cluster, r);
  const opts = { dryRun: dryRun(r) };
  if (!r.name) {
    switch (r.method) {
      case 'GET':
        return list(cluster, r);
      case 'POST':
        if (!r.body || typeof r.body !== 'object') throw badRequest('the request body is not an object');
        return one(r, cluster.create(r.def, r.namespace, r.body as KubeObject, opts), 201);
      case 'DELETE': {
        const items = cluster.select(r.def, {
          namespace: r.namespace,
          labelSelector: r.query.get('labelSelector') ?? undefined,
          fieldSelector: r.query.get('fieldSelector') ?? undefined,
        });
        const gone = items.map((o) => cluster.remove(r.def, o.metadata.namespace, o.metadata.name, deleteOptions(r)));
        return {
          code: 200,
          body: {
            kind: `${r.def.kind}List`,
            apiVersion: apiVersionOf(r.def.group, r.version),
            metadata: {},
            items: gone,
          },
        };
      }
    }
  } else {
    switch (r.method) {
      case 'GET':
        return one(r, cluster.must(r.def, r.namespace, r.name));
      case 'PUT':
        if (!r.body || typeof r.body !== 'object') throw badRequest('the request body is not an object');
        return one(r, cluster.update(r.def, r.namespace, r.name, r.body as KubeObject, opts));
      case 'PATCH':
        return one(r, cluster.patch(r.def, r.namespace, r.name, patchType(r), r.body, opts));
      case 'DELETE': {
        return one(r, cluster.remove(r.def, r.namespace, r.name, deleteOptions(r)));
      }
    }
  }
  throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}
