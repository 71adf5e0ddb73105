/**
 * The Toxiproxy route table: one line per method and path, each naming its handler (Resource+Verb, as in
 * Toxiproxy's api.go). Handlers are plain functions from a request to a reply; `api.ts` registers them on the
 * control layer's fastify server.
 */
import { VERSION } from '../version.js';
import { ApiError } from './api-error.js';
import type { ProxyCollection } from './collection.js';
import { populateInput } from './proxy-spec.js';
import { toxicJson } from './toxic-record.js';

/** Toxiproxy version this server is compatible with (clients gate features on it, e.g. PATCH ≥ 2.6.0). */
export const COMPAT_VERSION = '2.12.0';

/** What a handler gets. */
export interface RouteRequest {
  params: Record<string, string>;
  /** Parses the body as JSON (400 `bad request body: ...` on failure). */
  body(): Promise<unknown>;
}

/** What a handler returns: a status and a JSON body (none for 204). */
export interface Reply {
  status: number;
  json?: unknown;
}

/** A route handler: a request in, a reply out (throw an ApiError for an error answer). */
export type Handler = (proxies: ProxyCollection, req: RouteRequest) => Promise<Reply> | Reply;

/** One path (fastify syntax, `:name` matches one segment) with its handlers by method. */
export interface Route {
  path: string;
  methods: Record<string, Handler>;
}

const ProxyIndex: Handler = (proxies) => ({ status: 200, json: proxies.list() });
const ProxyCreate: Handler = async (proxies, req) => ({
  status: 201,
  json: (await proxies.create(await req.body())).toJSON(),
});
const Populate: Handler = async (proxies, req) => {
  const inputs = populateInput(await req.body());
  try {
    return { status: 201, json: { proxies: (await proxies.populate(inputs)).map((p) => p.toJSON()) } };
  } catch (err) {
    const done = (err as { populated?: { toJSON(): unknown }[] }).populated ?? [];
    const status = err instanceof ApiError ? err.status : 500;
    const error = err instanceof Error ? err.message : String(err);
    return { status, json: { error, status, proxies: done.map((p) => p.toJSON()) } };
  }
};
const ProxyShow: Handler = (proxies, req) => ({ status: 200, json: proxies.get(p(req)).toJSON() });
const ProxyUpdate: Handler = async (proxies, req) => {
  proxies.get(p(req));
  return { status: 200, json: (await proxies.update(p(req), await req.body())).toJSON() };
};
const ProxyDelete: Handler = (proxies, req) => {
  proxies.remove(p(req));
  return { status: 204 };
};
const ProxyConnections: Handler = (proxies, req) => {
  const proxy = proxies.get(p(req));
  if (proxy.udp) return { status: 200, json: proxy.udp.info() };
  const json = [...proxy.connections].map((c) =>
    'info' in c
      ? c.info()
      : {
          id: c.id,
          client: `${c.client.remoteAddress ?? ''}:${c.client.remotePort ?? ''}`,
          upstreamLocal: c.upstream ? `${c.upstream.localAddress ?? ''}:${c.upstream.localPort ?? ''}` : null,
          openedAt: new Date(c.openedAt).toISOString(),
          bytes: { upstream: { ...c.up?.bytes }, downstream: { ...c.down?.bytes } },
          toxics: c.decisions(),
        },
  );
  return { status: 200, json };
};
const ToxicIndex: Handler = (proxies, req) => ({ status: 200, json: proxies.get(p(req)).toxics.toJSON() });
const ToxicCreate: Handler = async (proxies, req) => {
  proxies.get(p(req));
  return { status: 200, json: proxies.addToxic(p(req), await req.body()) };
};
const ToxicShow: Handler = (proxies, req) => {
  const record = proxies.get(p(req)).toxics.find(t(req));
  if (!record) throw new ApiError('toxic not found', 404);
  return { status: 200, json: toxicJson(record) };
};
const ToxicUpdate: Handler = async (proxies, req) => {
  if (!proxies.get(p(req)).toxics.find(t(req))) throw new ApiError('toxic not found', 404);
  return { status: 200, json: proxies.updateToxic(p(req), t(req), await req.body()) };
};
const ToxicDelete: Handler = (proxies, req) => {
  proxies.removeToxic(p(req), t(req));
  return { status: 204 };
};
const ResetState: Handler = async (proxies) => {
  await proxies.reset();
  return { status: 204 };
};
const Version: Handler = () => ({ status: 200, json: { version: COMPAT_VERSION, turbulence: VERSION } });

/** Every route except `/metrics` and `/events` (served by api.ts as streams). */
export const routes: readonly Route[] = [
  { path: '/reset', methods: { POST: ResetState } },
  { path: '/version', methods: { GET: Version } },
  { path: '/proxies', methods: { GET: ProxyIndex, POST: ProxyCreate } },
  { path: '/populate', methods: { POST: Populate } },
  { path: '/proxies/:proxy', methods: { GET: ProxyShow, POST: ProxyUpdate, PATCH: ProxyUpdate, DELETE: ProxyDelete } },
  { path: '/proxies/:proxy/connections', methods: { GET: ProxyConnections } },
  { path: '/proxies/:proxy/toxics', methods: { GET: ToxicIndex, POST: ToxicCreate } },
  {
    path: '/proxies/:proxy/toxics/:toxic',
    methods: { GET: ToxicShow, POST: ToxicUpdate, PATCH: ToxicUpdate, DELETE: ToxicDelete },
  },
];

function p(req: RouteRequest): string {
  return req.params.proxy as string;
}
function t(req: RouteRequest): string {
  return req.params.toxic as string;
}
