/**
 * The dashboard's proxies view talks to a Toxiproxy-compatible API (the demo's proxy, or `--proxy-api URL`) through
 * the dashboard server: the browser never calls the proxy API itself (it refuses browsers, and may need a token).
 *
 *   GET    /api/proxies                         the proxies with their toxics
 *   POST   /api/proxies/:proxy/toxics           add a toxic   {name?, type, stream?, toxicity?, attributes}
 *   POST   /api/proxies/:proxy/toxics/:toxic    update one    {toxicity?, attributes}
 *   DELETE /api/proxies/:proxy/toxics/:toxic    remove one
 */
import type { FastifyInstance } from 'fastify';
import { ControlError } from '../control/index.js';

const NAME = /^[\w.-]{1,128}$/;

function checkName(what: string, name: string): string {
  if (!NAME.test(name)) throw new ControlError(`${what}: ${JSON.stringify(name)} is not a valid name`, 400);
  return encodeURIComponent(name);
}

function checkToxic(value: unknown, adding: boolean): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ControlError('body: a JSON object', 400);
  const b = value as Record<string, unknown>;
  if (adding && typeof b.type !== 'string') throw new ControlError('type: required string (e.g. "latency")', 400);
  if (
    b.attributes !== undefined &&
    (typeof b.attributes !== 'object' || b.attributes === null || Array.isArray(b.attributes))
  )
    throw new ControlError('attributes: an object of numbers, e.g. {"latency": 300}', 400);
  if (b.toxicity !== undefined && (typeof b.toxicity !== 'number' || b.toxicity < 0 || b.toxicity > 1))
    throw new ControlError('toxicity: a number from 0 to 1', 400);
  if (b.stream !== undefined && b.stream !== 'upstream' && b.stream !== 'downstream')
    throw new ControlError('stream: "upstream" or "downstream"', 400);
  return b;
}

/**
 * Registers the proxies routes against the proxy API at `api` (with its bearer token, if any).
 *
 * @example
 * registerProxies(app, { api: 'http://127.0.0.1:8474' });
 */
export function registerProxies(app: FastifyInstance, target: { api: string; token?: string | undefined }): void {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.token) headers.authorization = `Bearer ${target.token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, target.api), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ControlError(`the proxy API at ${target.api} does not answer: ${(err as Error).message}`, 502);
    }
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const message = (data as { error?: string }).error ?? `${res.status}`;
      throw new ControlError(`proxy API: ${message}`, res.status >= 500 ? 502 : res.status);
    }
    return data;
  };
  app.get('/api/proxies', async () => ({ api: target.api, proxies: await call('GET', '/proxies') }));
  app.post<{ Params: { proxy: string } }>('/api/proxies/:proxy/toxics', (request) =>
    call('POST', `/proxies/${checkName('proxy', request.params.proxy)}/toxics`, checkToxic(request.body, true)),
  );
  app.post<{ Params: { proxy: string; toxic: string } }>('/api/proxies/:proxy/toxics/:toxic', (request) =>
    call(
      'POST',
      `/proxies/${checkName('proxy', request.params.proxy)}/toxics/${checkName('toxic', request.params.toxic)}`,
      checkToxic(request.body, false),
    ),
  );
  app.delete<{ Params: { proxy: string; toxic: string } }>('/api/proxies/:proxy/toxics/:toxic', async (request) => {
    await call(
      'DELETE',
      `/proxies/${checkName('proxy', request.params.proxy)}/toxics/${checkName('toxic', request.params.toxic)}`,
    );
    return { removed: request.params.toxic };
  });
}
