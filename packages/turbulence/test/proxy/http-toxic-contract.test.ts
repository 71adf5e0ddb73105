/**
 * The toxic contract for HTTP toxics (proxies with `protocol: http`), through a real proxy server, its HTTP API,
 * a real `node:http` upstream and undici clients. For each HTTP toxic of the registry:
 *
 *   attributes   `{}` gets the documented defaults (or a 400 naming the missing attribute)
 *   toxicity     0 → requests behave as without the toxic; 1 → the effect shows on real requests
 *   matching     with match attributes, only matching requests are affected
 *   removal      removing the toxic applies to the next request on the same kept-alive connection
 *   no leaks     once the requests are done and their connections closed, no timer and no socket is left
 *   replay       the same seed selects the same requests (toxicity 0.5)
 *
 * Each case runs over HTTP/1.1 (undici) and HTTP/2 with prior knowledge (node:http2). A meta-test fails when an
 * HTTP toxic is registered without a case here.
 */
import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/index.js';
import { builtinToxics } from '../../src/proxy/toxics/index.js';
import { backTo, resources } from '../support/resources.js';
import { cleanup, proxyServer } from './helpers.js';
import { h2get, h2session } from './h2-support.js';
import { upstreamHttp } from './http-support.js';

let upstream: Awaited<ReturnType<typeof upstreamHttp>>;
beforeAll(async () => (upstream = await upstreamHttp()));
afterEach(cleanup);
afterAll(() => upstream.close());

/** One request's outcome as a client sees it. */
interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
  error?: string;
}

/** One request on `client` (or a fresh connection), never throwing. */
async function get(base: string, path: string, client?: Client): Promise<Seen> {
  const own = client ?? new Client(base);
  const start = performance.now();
  try {
    const res = await own.request({ path, method: 'GET', headersTimeout: 5000, bodyTimeout: 5000 });
    const body = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body, ms: performance.now() - start };
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { status: 0, headers: {}, body: '', ms: performance.now() - start, error: e.code ?? e.message };
  } finally {
    if (!client) await own.destroy();
  }
}

/** A client connection of one transport; `get` never throws (an error is an outcome). */
interface Conn {
  get(path: string, headers?: Record<string, string>): Promise<Seen>;
  close(): Promise<void>;
}

/** The same contract over HTTP/1.1 (undici) and over HTTP/2 with prior knowledge (node:http2). */
const TRANSPORTS: [string, (base: string) => Conn][] = [
  [
    'HTTP/1.1',
    (base) => {
      const client = new Client(base);
      return {
        get: async (path, headers = {}) => {
          const start = performance.now();
          try {
            const res = await client.request({ path, method: 'GET', headers, headersTimeout: 5000, bodyTimeout: 5000 });
            const body = await res.body.text();
            return { status: res.statusCode, headers: res.headers, body, ms: performance.now() - start };
          } catch (err) {
            const e = err as { code?: string; message: string };
            return { status: 0, headers: {}, body: '', ms: performance.now() - start, error: e.code ?? e.message };
          }
        },
        close: () => client.destroy(),
      };
    },
  ],
  [
    'h2c',
    (base) => {
      const session = h2session(base);
      return {
        get: async (path, headers = {}) => {
          const seen = await h2get(session, path, headers);
          return {
            status: seen.status,
            headers: seen.headers,
            body: seen.body,
            ms: seen.ms,
            ...(seen.error ? { error: seen.error } : {}),
          };
        },
        close: () => Promise.resolve(void session.destroy()),
      };
    },
  ],
];

interface HttpCase {
  /** The attributes `{}` turns into, or the 400 it gets. */
  defaults: Record<string, unknown> | { refused: RegExp };
  /** Attributes whose effect shows on one request. */
  effect: Record<string, unknown>;
  stream?: 'upstream' | 'downstream';
  /** The path requested (default `/echo`). */
  path?: string;
  fired: (seen: Seen) => boolean;
}

const MATCH_DEFAULTS = { method: '', path: '', header: '', query: '' };

const CASES: Record<string, HttpCase> = {
  http_status: {
    defaults: { status: 503, body: '', headers: {}, ...MATCH_DEFAULTS },
    effect: { status: 418, body: 'teapot', headers: 'Retry-After: 5' },
    fired: (s) => s.status === 418 && s.body === 'teapot' && s.headers['retry-after'] === '5',
  },
  http_abort: {
    defaults: { when: 'before', bytes: 0, ...MATCH_DEFAULTS },
    effect: { when: 'before' },
    fired: (s) => s.status === 0 && s.error !== undefined,
  },
  http_delay: {
    defaults: { phase: 'request', delay: 0, jitter: 0, ...MATCH_DEFAULTS },
    effect: { delay: 500 },
    fired: (s) => s.status === 200 && s.ms >= 480,
  },
  http_header: {
    defaults: { refused: /name must be a header name/ },
    effect: { action: 'set', name: 'X-Chaos', value: 'yes' },
    fired: (s) => s.headers['x-chaos'] === 'yes',
  },
  http_body: {
    defaults: { action: 'replace', body: '', bytes: 0, ...MATCH_DEFAULTS },
    effect: { action: 'replace', body: 'replaced' },
    fired: (s) => s.status === 200 && s.body === 'replaced',
  },
};

async function setup(seed = 42) {
  const server = await proxyServer({ seed });
  const api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'web', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
  return { server, api, base: `http://${proxy.listen}` };
}

describe('HTTP toxic contract', () => {
  it('has a case for every registered HTTP toxic', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      builtinToxics
        .filter((t) => t.protocol === 'http' && t.type.startsWith('http_')) // grpc_*: grpc.test.ts
        .map((t) => t.type)
        .sort(),
    );
  });

  describe.each(TRANSPORTS)('over %s', (_name, open) => {
    describe.each(Object.entries(CASES))('%s', (type, c) => {
      const path = c.path ?? '/echo';
      const add = (api: ProxyClient, name: string, toxicity: number, extra: Record<string, unknown> = {}) =>
        api.addToxic('web', {
          name,
          type,
          toxicity,
          stream: c.stream ?? 'downstream',
          attributes: { ...c.effect, ...extra },
        });
      /** One request on a fresh connection. */
      const once = async (base: string, p: string, headers: Record<string, string> = {}) => {
        const conn = open(base);
        try {
          return await conn.get(p, headers);
        } finally {
          await conn.close();
        }
      };

      it('fills in its defaults (or names the attribute it needs)', async () => {
        const { api } = await setup();
        if ('refused' in c.defaults) {
          await expect(api.addToxic('web', { name: 'd', type, attributes: {} })).rejects.toThrow(c.defaults.refused);
        } else {
          const t = await api.addToxic('web', { name: 'd', type, attributes: {} });
          expect(t.attributes).toEqual(c.defaults);
        }
      });

      it('toxicity 0 has no effect; toxicity 1 shows on a real request', async () => {
        const { api, base } = await setup();
        expect(c.fired(await once(base, path))).toBe(false);
        await add(api, 't', 0);
        expect(c.fired(await once(base, path))).toBe(false);
        await api.updateToxic('web', 't', { toxicity: 1 });
        expect(c.fired(await once(base, path))).toBe(true);
      });

      it('applies only to requests its match attributes select', async () => {
        const { api, base } = await setup();
        await add(api, 'm', 1, { method: 'GET', path: '/echo*', header: 'X-Tenant: blue*', query: 'v=/^[0-9]+$/' });
        const matching = async (headers: Record<string, string>, q: string) =>
          c.fired(await once(base, `${path}?${q}`, headers));
        expect(await matching({ 'x-tenant': 'blue-7' }, 'v=12')).toBe(true);
        expect(await matching({ 'x-tenant': 'red' }, 'v=12')).toBe(false);
        expect(await matching({ 'x-tenant': 'blue' }, 'v=x')).toBe(false);
        expect(await matching({}, 'v=1')).toBe(false);
      });

      it('is removed live: the next request on the same kept-alive connection is untouched', async () => {
        const { api, base } = await setup();
        const conn = open(base);
        try {
          expect(c.fired(await conn.get(path))).toBe(false);
          await add(api, 'r', 1, { path: '/nothing' }); // on the connection, matching nothing
          expect(c.fired(await conn.get(path))).toBe(false);
          await api.updateToxic('web', 'r', { attributes: { path: '' } });
          await api.removeToxic('web', 'r');
          const [before] = await api.connections('web');
          expect(c.fired(await conn.get(path))).toBe(false);
          expect((await api.connections('web'))[0]?.id).toBe(before?.id);
        } finally {
          await conn.close();
        }
      });

      it('leaves no timer and no socket behind once its requests are done', async () => {
        const { api, base } = await setup();
        await add(api, 'l', 1);
        const before = resources();
        await once(base, path);
        await once(base, path);
        expect(await backTo(before)).toBe(true);
      });

      it('replays its per-request choices from the seed', async () => {
        const decisions = async (seed: number) => {
          const { api, base } = await setup(seed);
          await api.addToxic('web', {
            name: 'r',
            type,
            toxicity: 0.5,
            attributes: { ...c.effect, path: '/nothing' },
          });
          const conn = open(base);
          for (let i = 0; i < 8; i++) await conn.get(`/x${i}`);
          const [info] = (await api.connections('web')) as unknown as { requests: { toxics: { draw: number }[] }[] }[];
          await conn.close();
          return info?.requests.map((r) => r.toxics[0]?.draw);
        };
        const first = await decisions(11);
        expect(first).toHaveLength(8);
        expect(await decisions(11)).toEqual(first);
        expect(await decisions(12)).not.toEqual(first);
      });
    });
  });
});

describe('HTTP toxic variants', () => {
  it('http_abort when=mid resets after the headers and `bytes` body bytes', async () => {
    const { api, base } = await setup();
    await api.addToxic('web', { type: 'http_abort', attributes: { when: 'mid', bytes: 1000, path: '/big' } });
    const seen = await get(base, '/big');
    expect(seen.error).toBeDefined();
    expect((await get(base, '/echo')).status).toBe(200);
  });

  it('http_delay phases: headers and body', async () => {
    const { api, base } = await setup();
    await api.addToxic('web', { name: 'h', type: 'http_delay', attributes: { phase: 'headers', delay: 300 } });
    expect((await get(base, '/echo')).ms).toBeGreaterThanOrEqual(280);
    await api.removeToxic('web', 'h');
    await api.addToxic('web', { name: 'b', type: 'http_delay', attributes: { phase: 'body', delay: 600 } });
    const client = new Client(base);
    const start = performance.now();
    const res = await client.request({ path: '/echo', method: 'GET' });
    const headersAt = performance.now() - start;
    await res.body.text();
    const bodyAt = performance.now() - start;
    await client.destroy();
    expect(headersAt).toBeLessThan(450); // the headers do not wait for the body's delay, even on a loaded machine
    expect(bodyAt).toBeGreaterThanOrEqual(580);
  });

  it('http_header on the request side (upstream) and remove/rewrite on the response side', async () => {
    const { api, base } = await setup();
    await api.addToxic('web', {
      name: 'a',
      type: 'http_header',
      stream: 'upstream',
      attributes: { name: 'X-Req', value: '1' },
    });
    await api.addToxic('web', {
      name: 'b',
      type: 'http_header',
      attributes: { action: 'remove', name: 'x-seen-host' },
    });
    await api.addToxic('web', {
      name: 'c',
      type: 'http_header',
      attributes: { action: 'rewrite', name: 'x-seen-x-req', value: 'two' },
    });
    await api.addToxic('web', {
      name: 'd',
      type: 'http_header',
      attributes: { action: 'rewrite', name: 'x-absent', value: 'no' },
    });
    const seen = await get(base, '/echo');
    expect(seen.headers['x-seen-x-req']).toBe('two');
    expect(seen.headers['x-seen-host']).toBeUndefined();
    expect(seen.headers['x-absent']).toBeUndefined();
  });

  it('http_body truncates a response (short body for the client) and replaces a request body', async () => {
    const { api, base } = await setup();
    await api.addToxic('web', {
      name: 't',
      type: 'http_body',
      attributes: { action: 'truncate', bytes: 10, path: '/big' },
    });
    const cut = await get(base, '/big');
    expect(cut.body.length === 10 || cut.error !== undefined).toBe(true);
    expect(cut.body.length).toBeLessThan(64 * 1024);
    await api.addToxic('web', { name: 'r', type: 'http_body', stream: 'upstream', attributes: { body: 'swapped' } });
    const client = new Client(base);
    const res = await client.request({ path: '/echo', method: 'POST', body: 'original body' });
    expect(await res.body.text()).toBe('POST /echo swapped');
    await client.destroy();
  });
});
