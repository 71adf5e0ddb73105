/**
 * The HTTP face of the Kubernetes API fake (fastify on loopback): bearer-token authentication, the fake's
 * RBAC, discovery, resource requests and watches, and SelfSubjectAccessReviews.
 *
 *   request ─▶ auth (401) ─▶ route: /version /api /apis /openapi ─▶ discovery.ts
 *                                   /api/v1/... /apis/g/v/...   ─▶ authz (403) ─▶ rest.ts ─▶ cluster.ts ─▶ store.ts
 *                                                               └─ ?watch=1 ─▶ watch.ts (stream)
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { denying, forbidden, type Attributes, type ForbidRule } from './authz.js';
import type { Cluster } from './cluster.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION } from './discovery.js';
import { KubeError } from './errors.js';
import { openapiDoc, openapiRoot } from './openapi.js';
import { decodeProtobuf } from './protobuf.js';
import { handle, renderer, type ResourceRequest } from './rest.js';
import { table, wantsTable } from './tables.js';
import { serveWatch } from './watch.js';

/** Server settings. */
export interface ServerOptions {
  token: string;
  forbid: ForbidRule[];
  tls: { cert: string; key: string };
}

const PUBLIC = new Set(['/version', '/healthz', '/livez', '/readyz']);

const notFoundAnswer = (): KubeError =>
  new KubeError(404, 'NotFound', 'the server could not find the requested resource');

function verbOf(method: string, named: boolean, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : named ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return named ? 'delete' : 'deletecollection';
  return method.toLowerCase();
}

/** Builds the fastify app serving `cluster`. */
export function buildServer(cluster: Cluster, opts: ServerOptions, closing: Set<() => void>): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, https: opts.tls }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (String(req.headers['content-type']).startsWith('application/vnd.kubernetes.protobuf')) {
      try {
        return done(null, decodeProtobuf(buf));
      } catch (e) {
        return done(e as Error, undefined);
      }
    }
    const text = buf.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new KubeError(400, 'BadRequest', 'the request body is not valid JSON'), undefined);
    }
  });

  const send = (reply: FastifyReply, code: number, body: unknown): FastifyReply =>
    reply.code(code).header('content-type', 'application/json').send(JSON.stringify(body));

  app.setErrorHandler((err, _req, reply) => {
    const code = (err as { statusCode?: number }).statusCode;
    const message = err instanceof Error ? err.message : String(err);
    const e =
      err instanceof KubeError
        ? err
        : code && code < 500
          ? new KubeError(code, 'BadRequest', message)
          : new KubeError(500, 'InternalError', `kube-fake: ${message}`);
    return send(reply, e.code, e.toStatus());
  });

  app.all('/*', async (req, reply) => {
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!PUBLIC.has(path) && req.headers.authorization !== `Bearer ${opts.token}`)
      return send(reply, 401, new KubeError(401, 'Unauthorized', 'Unauthorized').toStatus());
    if (path === '/version') return send(reply, 200, VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return reply.type('text/plain').send('ok');
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' || parts[0] === 'apis') return resource(req, reply, url, parts);
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      if (parts.length === 2) return send(reply, 200, openapiRoot(cluster.registry));
      const core = parts[2] === 'api';
      const doc = openapiDoc(cluster.registry, core ? '' : (parts[3] ?? ''), (core ? parts[3] : parts[4]) ?? '');
      if (doc) return send(reply, 200, doc);
    }
    throw notFoundAnswer();
  });

  const resource = (req: FastifyRequest, reply: FastifyReply, url: URL, parts: string[]): FastifyReply | undefined => {
    const core = parts[0] === 'api';
    if (core && parts.length === 1) return send(reply, 200, apiVersions(req.headers.host ?? ''));
    if (!core && parts.length === 1) return send(reply, 200, apiGroupList(cluster.registry));
    if (!core && parts.length === 2) {
      const g = apiGroup(cluster.registry, parts[1]!);
      if (!g) throw notFoundAnswer();
      return send(reply, 200, g);
    }
    const group = core ? '' : parts[1]!;
    const version = core ? parts[1]! : parts[2]!;
    const rest = parts.slice(core ? 2 : 3).map(decodeURIComponent);
    if (rest.length === 0) {
      const list = apiResourceList(cluster.registry, group, version);
      if (!list) throw notFoundAnswer();
      return send(reply, 200, list);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && cluster.registry.at(group, version, rest[2]!)?.namespaced) {
      namespace = rest[1];
      rest.splice(0, 2);
    }
    const [plural, name, sub, ...extra] = rest;
    const def = cluster.registry.at(group, version, plural!);
    if (!def || extra.length > 0 || (namespace !== undefined && !def.namespaced)) throw notFoundAnswer();
    const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    const attrs: Attributes = {
      verb: verbOf(req.method, name !== undefined, watch),
      group,
      resource: def.plural,
      subresource: sub,
      namespace,
      name,
    };
    if (denying(opts.forbid, attrs)) throw forbidden(attrs);
    const r: ResourceRequest = {
      method: req.method,
      def,
      version,
      namespace,
      name,
      sub,
      query: url.searchParams,
      body: req.body,
      accept: req.headers.accept ?? '',
      contentType: req.headers['content-type'] ?? '',
    };
    if (def.plural === 'selfsubjectaccessreviews' && group === 'authorization.k8s.io' && req.method === 'POST')
      return send(reply, 201, review(r.body, opts.forbid));
    if (watch && req.method === 'GET' && !name) {
      reply.hijack();
      const plain = renderer(r);
      const asTable = wantsTable(r.accept);
      const rv = String(cluster.store.rv);
      serveWatch(
        cluster,
        {
          def,
          namespace,
          labelSelector: url.searchParams.get('labelSelector') ?? undefined,
          fieldSelector: url.searchParams.get('fieldSelector') ?? undefined,
          resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
          timeoutSeconds: Number(url.searchParams.get('timeoutSeconds') ?? 0) || undefined,
          bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
          render: asTable ? (o) => table(def, [plain(o)], rv, 'PartialObjectMetadata') : plain,
        },
        reply.raw,
        closing,
      );
      return undefined;
    }
    const answer = handle(cluster, r);
    if (answer.text !== undefined) return reply.code(answer.code).type('text/plain').send(answer.text);
    return send(reply, answer.code, answer.body);
  };

  return app;
}

/** Answers a SelfSubjectAccessReview with the same rules requests are checked against. */
function review(body: unknown, rules: ForbidRule[]): Record<string, unknown> {
  const b = (body ?? {}) as {
    metadata?: unknown;
    spec?: { resourceAttributes?: Partial<Attributes>; nonResourceAttributes?: unknown };
  };
  const ra = b.spec?.resourceAttributes;
  let allowed = true;
  if (ra) {
    const rule = denying(rules, {
      verb: ra.verb ?? '',
      group: ra.group ?? '',
      resource: ra.resource ?? '',
      subresource: ra.subresource || undefined,
      namespace: ra.namespace || undefined,
      name: ra.name || undefined,
    });
    // RBAC denies without a reason (kubectl prints a bare "no"), so the fake does too.
    if (rule) allowed = false;
  }
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: b.spec ?? {},
    status: { allowed },
  };
}
