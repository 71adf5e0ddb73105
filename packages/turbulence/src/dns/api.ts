/**
 * The HTTP control API of a chaos DNS server, on the control layer (`src/control/`): loopback by default, a token
 * anywhere else, Host and cross-site checks, JSON bodies validated by schema, and errors as
 * `{ "error": "...", "status": 404 }` (Toxiproxy's shape) plus our `code`, `hint` and `details`.
 *
 *   GET    /health          { status: "ok", upstream, seed }
 *   GET    /rules           rules with their hit counts
 *   POST   /rules           add a rule (id optional; 409 when the id exists)
 *   GET    /rules/:id       one rule
 *   PUT    /rules/:id       add or replace the rule with that id
 *   DELETE /rules/:id       remove one rule (404 when absent)
 *   DELETE /rules           remove every rule
 *   GET    /stats           counters (queries, answered, dropped, reset, by rcode) and rules
 *   DELETE /cache           empty the answer cache (404 when the cache is off)
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ControlError } from '../control/errors.js';
import { createControlServer, listenControl } from '../control/server.js';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { HostPort } from './address.js';
import type { DnsRuleStatus } from './engine.js';

/** What the API needs of a DNS server (the server passes itself). */
export interface DnsControlTarget {
  readonly seed: number;
  readonly upstreamAddress: string;
  readonly cache: { clear(): void } | undefined;
  readonly engine: { get(id: string): DnsRuleStatus | undefined; clear(): void };
  addRule(rule: unknown): DnsRuleStatus;
  removeRule(id: string): boolean;
  listRules(): DnsRuleStatus[];
  stats(): unknown;
}

/** A running control API. */
export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startControlApi} beyond where to listen. */
export interface ControlApiOptions {
  token?: string | undefined;
  /** A pino logger for requests and errors; default none. */
  logger?: FastifyBaseLogger;
}

/** Largest request body: 1 MiB (a rule is a few hundred bytes). */
const MAX_BODY = 1 << 20;

const RULE_ID = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 256 } } } as const;
const RULE_BODY = { type: 'object' } as const;

/** Starts the control API for `server` on `at`. */
export async function startControlApi(
  server: DnsControlTarget,
  at: HostPort,
  options: ControlApiOptions = {},
): Promise<ControlApi> {
  const app = createControlServer({
    host: at.host,
    token: options.token,
    bodyLimit: MAX_BODY,
    ...(options.logger ? { logger: options.logger } : {}),
    refuseOpenBind: (host) =>
      new TurbulenceError(ErrorCodes.USAGE, `the DNS control API may bind to ${host} only with a token`, {
        hint: 'bind it to 127.0.0.1, or set a token (--api-token / apiToken)',
      }),
  });
  routes(app, server);
  const { url } = await listenControl(app, at.host, at.port, 'DNS control API');
  return { url, close: () => app.close() };
}

function routes(app: FastifyInstance, server: DnsControlTarget): void {
  app.get('/health', () => ({ status: 'ok', upstream: server.upstreamAddress, seed: server.seed }));
  app.get('/stats', () => server.stats());
  app.delete('/cache', (_req, reply) => {
    if (!server.cache) throw new ControlError('the answer cache is off (--no-cache)', 404);
    server.cache.clear();
    return reply.code(204).send();
  });
  app.get('/rules', () => server.listRules());
  app.delete('/rules', (_req, reply) => {
    server.engine.clear();
    return reply.code(204).send();
  });
  app.post('/rules', { schema: { body: RULE_BODY } }, (req, reply) => {
    const body = req.body as { id?: unknown };
    if (typeof body.id === 'string' && server.engine.get(body.id)) {
      throw new ControlError(`a DNS rule with id ${JSON.stringify(body.id)} exists`, 409);
    }
    return reply.code(201).send(server.addRule(body));
  });
  app.get('/rules/:id', { schema: { params: RULE_ID } }, (req) => {
    const { id } = req.params as { id: string };
    return server.engine.get(id) ?? notFound(id);
  });
  app.put('/rules/:id', { schema: { params: RULE_ID, body: RULE_BODY } }, (req) => {
    const { id } = req.params as { id: string };
    return server.addRule({ ...(req.body as object), id });
  });
  app.delete('/rules/:id', { schema: { params: RULE_ID } }, (req, reply) => {
    const { id } = req.params as { id: string };
    if (!server.removeRule(id)) notFound(id);
    return reply.code(204).send();
  });
}

function notFound(id: string): never {
  throw new ControlError(`no DNS rule with id ${JSON.stringify(id)}`, 404, 'list the rules with GET /rules');
}
